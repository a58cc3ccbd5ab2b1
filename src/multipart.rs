//! Multipart messages: the frames of one ZeroMQ message, delivered together.

use std::ops::{Deref, DerefMut};

use crate::message::Message;

/// The frames of one multipart message, as [`Socket::recv_multipart`](crate::Socket::recv_multipart)
/// returns them. It dereferences to `Vec<Message>`.
///
/// ROUTER and DEALER sockets put an envelope in front of the body: routing id frames, then an
/// empty delimiter frame. [`Multipart::envelope`] and [`Multipart::body`] split there.
///
/// ```
/// let parts = zmq::Multipart::from(vec![
///     zmq::Message::from("peer-1"),
///     zmq::Message::new(),
///     zmq::Message::from("hello"),
/// ]);
/// assert_eq!(parts.envelope().unwrap().len(), 1);
/// assert_eq!(parts.body()[0], "hello");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multipart(Vec<Message>);

impl Multipart {
    /// An empty multipart message, to push frames into.
    pub fn new() -> Multipart {
        Multipart(Vec::new())
    }

    /// The frames.
    pub fn into_vec(self) -> Vec<Message> {
        self.0
    }

    fn delimiter(&self) -> Option<usize> {
        self.0.iter().position(|frame| frame.is_empty())
    }

    /// The frames before the first empty delimiter frame, `None` if there is no delimiter.
    pub fn envelope(&self) -> Option<&[Message]> {
        self.delimiter().map(|at| &self.0[..at])
    }

    /// The frames after the first empty delimiter frame, or every frame if there is none.
    pub fn body(&self) -> &[Message] {
        self.delimiter().map_or(&self.0[..], |at| &self.0[at + 1..])
    }

    /// Splits into the envelope (the frames before the first empty delimiter, which is
    /// dropped) and the body; with no delimiter, the envelope is empty.
    pub fn split_envelope(mut self) -> (Vec<Message>, Vec<Message>) {
        match self.delimiter() {
            Some(at) => {
                let body = self.0.split_off(at + 1);
                self.0.truncate(at);
                (self.0, body)
            }
            None => (Vec::new(), self.0),
        }
    }
}

impl Deref for Multipart {
    type Target = Vec<Message>;

    fn deref(&self) -> &Vec<Message> {
        &self.0
    }
}

impl DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut Vec<Message> {
        &mut self.0
    }
}

impl From<Vec<Message>> for Multipart {
    fn from(frames: Vec<Message>) -> Multipart {
        Multipart(frames)
    }
}

impl From<Multipart> for Vec<Message> {
    fn from(parts: Multipart) -> Vec<Message> {
        parts.0
    }
}

impl IntoIterator for Multipart {
    type Item = Message;
    type IntoIter = std::vec::IntoIter<Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Multipart {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Message> for Multipart {
    fn from_iter<I: IntoIterator<Item = Message>>(iter: I) -> Multipart {
        Multipart(iter.into_iter().collect())
    }
}
