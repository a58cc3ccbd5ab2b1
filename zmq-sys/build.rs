//! Finds or builds libzmq, in this order (each step is one function below):
//!
//! 1. `ZMQ_LIB_DIR` / `ZMQ_INCLUDE_DIR` (and `ZMQ_STATIC=1`): link exactly that library.
//! 2. Feature `vendored`: build libzmq 4.3.5 from the `zeromq-src` crate, with CURVE through
//!    libsodium from `libsodium-sys-stable`; feature `draft` builds the DRAFT API in.
//! 3. pkg-config `libzmq >= 4.3.3` (`ZMQ_ALLOW_OLD=1` accepts an older one, with a warning).
//! 4. Otherwise fail, naming the three ways above.
//!
//! What was found is exported as link metadata (`DEP_ZMQ_VERSION`, `DEP_ZMQ_CURVE`,
//! `DEP_ZMQ_DRAFT`, `DEP_ZMQ_INCLUDE`, `DEP_ZMQ_LIB`, `DEP_ZMQ_VENDORED`,
//! `DEP_ZMQ_SIGNALER`), which the `zmq` crate's build script turns into `cfg`s.
//!
//! `ZMQ_SYS_SIGNALER=socketpair` makes a vendored build on Linux signal between threads
//! through a socketpair, as `zeromq-src` alone would, instead of an eventfd (the default,
//! `eventfd`, as libzmq's own build does on Linux): a knob for measuring the difference
//! (`scripts/bench --signaler-variant`), not for production.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process;

#[cfg(feature = "bindgen")]
#[path = "bindgen.rs"]
mod generate;

/// The oldest libzmq accepted without `ZMQ_ALLOW_OLD=1`: everything before 4.3.3 carries
/// remotely exploitable bugs (CVE-2019-6250, CVE-2019-13132, CVE-2020-15166,
/// CVE-2021-20234 to CVE-2021-20237).
const OLDEST_SAFE: Version = Version(4, 3, 3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Version(u32, u32, u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What a probe step found and has already told cargo to link.
struct Found {
    include_dir: PathBuf,
    lib_dir: Option<PathBuf>,
    version: Version,
    curve: bool,
    draft: bool,
    vendored: bool,
    /// How the vendored libzmq signals between threads; `None` when not built here.
    signaler: Option<&'static str>,
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=bindgen.rs");

    let found = match from_env_dirs() {
        Some(found) => found,
        None => match vendored() {
            Some(found) => found,
            None => match system_pkg_config() {
                Some(found) => found,
                None => fail_not_found(),
            },
        },
    };

    check_draft(&found);
    export_metadata(&found);
    bindings(&found);
}

/// Reads an environment variable and tells cargo to rerun when it changes.
fn env_var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    env::var(name).ok().filter(|v| !v.is_empty())
}

fn env_flag(name: &str) -> bool {
    matches!(env_var(name).as_deref(), Some("1" | "true" | "yes" | "on"))
}

fn fail(message: &str) -> ! {
    eprintln!("\nerror: zmq-sys: {message}\n");
    process::exit(1);
}

/// Step 1: `ZMQ_LIB_DIR` (with `ZMQ_INCLUDE_DIR`, default `$ZMQ_LIB_DIR/../include`).
fn from_env_dirs() -> Option<Found> {
    let include_var = env_var("ZMQ_INCLUDE_DIR");
    let static_link = env_flag("ZMQ_STATIC");
    let lib_dir = PathBuf::from(match env_var("ZMQ_LIB_DIR") {
        Some(dir) => dir,
        None if include_var.is_some() => {
            fail("ZMQ_INCLUDE_DIR is set but ZMQ_LIB_DIR is not: set both, or neither")
        }
        None => return None,
    });
    let include_dir = include_var
        .map(PathBuf::from)
        .unwrap_or_else(|| lib_dir.join("../include"));
    if !include_dir.join("zmq.h").is_file() {
        fail(&format!(
            "ZMQ_LIB_DIR is set, but there is no zmq.h in {} (set ZMQ_INCLUDE_DIR)",
            include_dir.display()
        ));
    }
    let library = find_library_file(&lib_dir, static_link).unwrap_or_else(|| {
        fail(&format!(
            "ZMQ_LIB_DIR={} holds no {} libzmq",
            lib_dir.display(),
            if static_link { "static" } else { "shared" }
        ))
    });
    let version = header_version(&include_dir);
    check_version(version);

    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    if static_link {
        println!("cargo:rustc-link-lib=static=zmq");
        // A static libzmq is C++ and, when built with CURVE, needs libsodium too.
        if lib_dir.join("libsodium.a").is_file() {
            println!("cargo:rustc-link-lib=static=sodium");
        }
        println!("cargo:rustc-link-lib=dylib=stdc++");
    } else {
        println!("cargo:rustc-link-lib=dylib=zmq");
    }
    let (curve, draft) = library_capabilities(&library);
    Some(Found {
        include_dir,
        lib_dir: Some(lib_dir),
        version,
        curve,
        draft,
        vendored: false,
        signaler: None,
    })
}

/// Step 2: build libzmq 4.3.5 from source with CURVE (libsodium) and, with `draft`, the DRAFT API.
#[cfg(feature = "vendored")]
fn vendored() -> Option<Found> {
    let sodium_include = env::var("DEP_SODIUM_INCLUDE")
        .unwrap_or_else(|_| fail("libsodium-sys-stable did not export its include directory"));
    let sodium_lib = env::var("DEP_SODIUM_LIB")
        .unwrap_or_else(|_| fail("libsodium-sys-stable did not export its library directory"));
    let draft = cfg!(feature = "draft");

    let signaler = add_platform_defines();
    zeromq_src::Build::new()
        .with_libsodium(Some(zeromq_src::LibLocation::new(
            &sodium_lib,
            &sodium_include,
        )))
        .enable_draft(draft)
        .build();

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let include_dir = out_dir.join("source/include");
    let version = header_version(&include_dir);
    Some(Found {
        include_dir,
        lib_dir: Some(out_dir.join("lib")),
        version,
        curve: true,
        draft,
        vendored: true,
        signaler: Some(signaler),
    })
}

#[cfg(not(feature = "vendored"))]
fn vendored() -> Option<Found> {
    None
}

/// `zeromq-src` defines only a minimal platform; on Linux it leaves out what libzmq's own
/// CMake build detects there. Without these, a vendored libzmq signals between threads through
/// a socketpair instead of an eventfd (slower), silently ignores the TCP keepalive options and
/// the thread name and affinity options, and cannot bind `ipc://*`. `zeromq-src` gives no hook
/// for extra defines, but the `cc` crate it uses reads the target's CXXFLAGS, so they go there.
/// Returns how the library will signal between threads: `eventfd` on Linux unless
/// `ZMQ_SYS_SIGNALER=socketpair` asks for the fallback, `socketpair` elsewhere.
#[cfg(feature = "vendored")]
fn add_platform_defines() -> &'static str {
    let target = env::var("TARGET").expect("cargo sets TARGET");
    let eventfd = match env_var("ZMQ_SYS_SIGNALER").as_deref() {
        None | Some("eventfd") => true,
        Some("socketpair") => false,
        Some(other) => fail(&format!(
            "ZMQ_SYS_SIGNALER={other:?}: expected `eventfd` (the default on Linux) or `socketpair`"
        )),
    };
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return "socketpair";
    }
    const LINUX: &[&str] = &[
        "ZMQ_HAVE_EVENTFD",
        "ZMQ_HAVE_EVENTFD_CLOEXEC",
        "ZMQ_IOTHREAD_POLLER_USE_EPOLL_CLOEXEC",
        "ZMQ_HAVE_PPOLL",
        "HAVE_FORK",
        "HAVE_CLOCK_GETTIME",
        "HAVE_MKDTEMP",
        "HAVE_ACCEPT4",
        "HAVE_IF_NAMETOINDEX",
        "ZMQ_HAVE_NOEXCEPT",
        "ZMQ_HAVE_IFADDRS",
        "ZMQ_HAVE_SO_BINDTODEVICE",
        "ZMQ_HAVE_SO_PEERCRED",
        "ZMQ_HAVE_BUSY_POLL",
        "ZMQ_HAVE_O_CLOEXEC",
        "ZMQ_HAVE_SOCK_CLOEXEC",
        "ZMQ_HAVE_SO_KEEPALIVE",
        "ZMQ_HAVE_SO_PRIORITY",
        "ZMQ_HAVE_TCP_KEEPCNT",
        "ZMQ_HAVE_TCP_KEEPIDLE",
        "ZMQ_HAVE_TCP_KEEPINTVL",
        "ZMQ_HAVE_PTHREAD_SETNAME_2",
        "ZMQ_HAVE_PTHREAD_SET_AFFINITY",
        "SODIUM_STATIC",
    ];
    let underscored = target.replace('-', "_");
    // The first of these that is set is the one `cc` uses; keep what the user gave.
    let names = [
        format!("CXXFLAGS_{target}"),
        format!("CXXFLAGS_{underscored}"),
        "TARGET_CXXFLAGS".to_owned(),
        "CXXFLAGS".to_owned(),
    ];
    let existing = names
        .iter()
        .find_map(|name| env_var(name))
        .unwrap_or_default();
    let mut flags = existing;
    for define in LINUX {
        if !eventfd && define.starts_with("ZMQ_HAVE_EVENTFD") {
            continue;
        }
        flags.push_str(" -D");
        flags.push_str(define);
        flags.push_str("=1");
    }
    // SAFETY: the build script is single-threaded here; no other thread reads the environment.
    unsafe { env::set_var(&names[0], flags.trim()) };
    if eventfd {
        "eventfd"
    } else {
        "socketpair"
    }
}

/// Step 3: the system libzmq through pkg-config.
fn system_pkg_config() -> Option<Found> {
    let static_link = env_flag("ZMQ_STATIC");
    let allow_old = env_flag("ZMQ_ALLOW_OLD");
    // Probe without emitting link flags: a rejected library must leave no stray `-l`.
    let probe = pkg_config::Config::new()
        .cargo_metadata(false)
        .statik(static_link)
        .probe("libzmq")
        .ok()?;
    let version = parse_version(&probe.version).unwrap_or_else(|| {
        fail(&format!(
            "pkg-config reports an unreadable libzmq version {:?}",
            probe.version
        ))
    });
    if version < OLDEST_SAFE && !allow_old {
        fail(&format!(
            "the system libzmq is {version}; versions before {OLDEST_SAFE} carry remotely \
             exploitable bugs (CVE-2019-6250, CVE-2019-13132, CVE-2020-15166, \
             CVE-2021-20234..20237). Upgrade it, use the `vendored` feature, or set \
             ZMQ_ALLOW_OLD=1 to accept it anyway"
        ));
    }
    let lib = pkg_config::Config::new()
        .statik(static_link)
        .probe("libzmq")
        .unwrap_or_else(|e| {
            fail(&format!(
                "pkg-config libzmq failed on the second probe: {e}"
            ))
        });
    check_version(version);

    let include_dir = lib
        .include_paths
        .iter()
        .find(|dir| dir.join("zmq.h").is_file())
        .cloned()
        .or_else(|| {
            ["/usr/include", "/usr/local/include"]
                .into_iter()
                .map(PathBuf::from)
                .find(|dir| dir.join("zmq.h").is_file())
        })
        .unwrap_or_else(|| fail("pkg-config found libzmq, but no zmq.h beside it"));
    let lib_dir = lib
        .link_paths
        .iter()
        .find(|dir| find_library_file(dir, static_link).is_some())
        .cloned()
        .or_else(|| system_lib_dir(static_link));
    let (curve, draft) = lib_dir
        .as_deref()
        .and_then(|dir| find_library_file(dir, static_link))
        .map(|file| library_capabilities(&file))
        .unwrap_or((false, false));
    Some(Found {
        include_dir,
        lib_dir,
        version,
        curve,
        draft,
        vendored: false,
        signaler: None,
    })
}

/// Step 4: nothing found.
fn fail_not_found() -> ! {
    fail(
        "could not find libzmq. Choose one of:\n\
         \x20 1. set ZMQ_LIB_DIR (and ZMQ_INCLUDE_DIR, ZMQ_STATIC=1 for a static library) to use exactly that libzmq;\n\
         \x20 2. enable the `vendored` feature (on by default) to build libzmq 4.3.5 with CURVE from source;\n\
         \x20 3. install libzmq >= 4.3.3 with its pkg-config file: `apt-get install libzmq3-dev` on Debian and Ubuntu,\n\
         \x20    `brew install zeromq` on macOS, `dnf install zeromq-devel` on Fedora.",
    )
}

fn check_version(version: Version) {
    if version >= OLDEST_SAFE {
        return;
    }
    if env_flag("ZMQ_ALLOW_OLD") {
        println!(
            "cargo:warning=zmq-sys: linking libzmq {version}, older than {OLDEST_SAFE} and \
             affected by known remote vulnerabilities (accepted because ZMQ_ALLOW_OLD=1)"
        );
    } else {
        fail(&format!(
            "libzmq {version} is older than {OLDEST_SAFE} and carries remotely exploitable bugs \
             (CVE-2019-6250, CVE-2019-13132, CVE-2020-15166, CVE-2021-20234..20237); \
             set ZMQ_ALLOW_OLD=1 to accept it anyway"
        ));
    }
}

/// Feature `draft` needs a library that has the DRAFT API: say so at build time, not as a
/// link error later.
fn check_draft(found: &Found) {
    if cfg!(feature = "draft") && !found.draft {
        fail(&format!(
            "the `draft` feature needs a libzmq built with the DRAFT API, and the libzmq found \
             ({}, version {}) was built without it (Debian's and Ubuntu's packages are). \
             Use the `vendored` feature together with `draft`, or point ZMQ_LIB_DIR at a libzmq \
             configured with --enable-drafts",
            found
                .lib_dir
                .as_deref()
                .map_or_else(|| "system".into(), |d| d.display().to_string()),
            found.version
        ));
    }
}

fn export_metadata(found: &Found) {
    println!("cargo:version={}", found.version);
    println!("cargo:curve={}", found.curve);
    println!("cargo:draft={}", found.draft && cfg!(feature = "draft"));
    println!("cargo:vendored={}", found.vendored);
    println!("cargo:signaler={}", found.signaler.unwrap_or("unknown"));
    println!("cargo:include={}", found.include_dir.display());
    if let Some(dir) = &found.lib_dir {
        println!("cargo:lib={}", dir.display());
    }
    // For this crate's own tests: the header the bindings must match.
    println!(
        "cargo:rustc-env=ZMQ_SYS_INCLUDE_DIR={}",
        found.include_dir.display()
    );
    println!("cargo:rustc-check-cfg=cfg(zmq_sys_header_4_3_5)");
    if found.version == Version(4, 3, 5) {
        println!("cargo:rustc-cfg=zmq_sys_header_4_3_5");
    }
}

/// With feature `bindgen`, regenerate the bindings from the header in use; otherwise the
/// committed `src/bindings.rs` is used as it is.
#[cfg(feature = "bindgen")]
fn bindings(found: &Found) {
    let text = generate::generate(&found.include_dir).unwrap_or_else(|e| fail(&e));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bindings.rs");
    fs::write(&out, text).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

#[cfg(not(feature = "bindgen"))]
fn bindings(_found: &Found) {}

fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u32>().ok());
    Some(Version(
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

/// Reads `ZMQ_VERSION_MAJOR/MINOR/PATCH` from `zmq.h`.
fn header_version(include_dir: &Path) -> Version {
    let header = include_dir.join("zmq.h");
    let text = fs::read_to_string(&header)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", header.display())));
    let field = |name: &str| -> u32 {
        text.lines()
            .filter_map(|line| line.trim().strip_prefix("#define "))
            .filter_map(|rest| rest.trim().strip_prefix(name))
            .find_map(|value| value.trim().parse().ok())
            .unwrap_or_else(|| fail(&format!("{} has no {name}", header.display())))
    };
    Version(
        field("ZMQ_VERSION_MAJOR"),
        field("ZMQ_VERSION_MINOR"),
        field("ZMQ_VERSION_PATCH"),
    )
}

fn find_library_file(dir: &Path, static_link: bool) -> Option<PathBuf> {
    let names: &[&str] = if static_link {
        &["libzmq.a"]
    } else {
        &["libzmq.so", "libzmq.dylib", "zmq.lib", "libzmq.so.5"]
    };
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Where the linker finds a library that pkg-config reports without a `-L`.
fn system_lib_dir(static_link: bool) -> Option<PathBuf> {
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let candidates = [
        PathBuf::from(format!("/usr/lib/{arch}-linux-gnu")),
        PathBuf::from("/usr/lib64"),
        PathBuf::from("/usr/lib"),
        PathBuf::from("/usr/local/lib"),
    ];
    candidates
        .into_iter()
        .find(|dir| find_library_file(dir, static_link).is_some())
}

/// Whether a built libzmq has CURVE and the DRAFT API, read from its symbol names: a CURVE
/// build refers to `crypto_box` functions (libsodium's or tweetnacl's), a DRAFT build exports
/// `zmq_poller_new`. `zmq::has("curve")` at run time stays the authority.
fn library_capabilities(library: &Path) -> (bool, bool) {
    let Ok(bytes) = fs::read(library) else {
        return (false, false);
    };
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    (contains(b"crypto_box"), contains(b"zmq_poller_new\0"))
}
