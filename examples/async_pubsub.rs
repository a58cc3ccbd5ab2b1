//! Publish-subscribe on tokio (feature `tokio`): a PUB task publishes numbered updates on
//! two topics, a SUB task subscribed to one of them reads them as a `Stream`, in the same
//! process.
//!
//! Usage: `async_pubsub [COUNT]` (default 10). Prints each update the subscriber receives as
//! `weather <n>` and exits 0 once it has COUNT of them.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `async_pubsub: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::StreamExt;
use support::Args;
use zmq::{AsyncSocket, Context, SocketType};

const USAGE: &str = "async_pubsub [COUNT]";

fn main() -> ExitCode {
    support::run("async_pubsub", USAGE, 1, |args| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?
            .block_on(run(args))
    })
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let count: u64 = args.number_or(0, "COUNT", 10);

    let ctx = Context::new()?;
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.set_linger(Some(Duration::ZERO))?;
    publisher.bind("inproc://async-pubsub")?;
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.set_subscribe(b"weather")?;
    subscriber.connect("inproc://async-pubsub")?;
    let mut publisher = AsyncSocket::new(publisher)?;
    let subscriber = AsyncSocket::new(subscriber)?;

    // A PUB drops what it publishes before a subscription reaches it (the "slow joiner"), so
    // the publisher keeps going until the subscriber has what it wants.
    let publishing = tokio::spawn(async move {
        for n in 0u64.. {
            publisher
                .send_multipart(["sports".to_owned(), n.to_string()])
                .await?;
            publisher
                .send_multipart(["weather".to_owned(), n.to_string()])
                .await?;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok::<(), zmq::SendError<zmq::Multipart>>(())
    });

    let mut updates = subscriber.take(count as usize);
    while let Some(update) = updates.next().await {
        let update = update?;
        let topic = String::from_utf8_lossy(&update[0]);
        let body = String::from_utf8_lossy(&update[1]);
        println!("{topic} {body}");
    }
    publishing.abort();
    Ok(())
}
