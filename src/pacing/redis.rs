//! Just enough of a Redis client for the shared budget: one connection (TCP, TLS or a Unix socket), `AUTH`,
//! `SELECT`, and commands answered in RESP2. Written here rather than taken from a crate so that every
//! operation's deadline, the fork rules and the TLS provider stay the SDK's own.

use std::io;
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use url::Url;

use crate::error::{Error, Result};

/// Where the store is, parsed once. Its `Display` never shows the password.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StoreUrl {
    url: Url,
    tls: bool,
    /// The socket path, for `unix://`.
    socket: Option<String>,
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
    db: u32,
}

impl StoreUrl {
    /// `redis://[user[:password]@]host[:port][/db]`, `rediss://...` (TLS), or
    /// `unix:///path/to/socket[?db=N&password=...]`.
    pub fn parse(text: &str) -> Result<StoreUrl> {
        let invalid = |why: &str| {
            Error::Configuration(format!("rate_limit_store: {why} (expected redis://host:6379/0, rediss://... or unix:///path)"))
        };
        let url = Url::parse(text).map_err(|_| invalid("not a URL"))?;
        let query = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        let decode = |s: &str| crate::percent::decode(s).ok_or_else(|| invalid("bad percent-encoding"));
        let (tls, socket) = match url.scheme() {
            "redis" => (false, None),
            "rediss" => (true, None),
            "unix" | "redis+unix" => {
                let path = Some(url.path().to_owned()).filter(|p| !p.is_empty()).ok_or_else(|| invalid("no socket path"))?;
                (false, Some(path))
            }
            other => return Err(invalid(&format!("unknown scheme {other:?}"))),
        };
        let db = match (socket.is_some(), url.path().trim_start_matches('/')) {
            (true, _) | (false, "") => query("db").map_or(Ok(0), |d| d.parse().map_err(|_| invalid("bad db number")))?,
            (false, path) => path.parse().map_err(|_| invalid("the path must be a database number"))?,
        };
        let password = match url.password() {
            Some(p) => Some(decode(p)?),
            None => query("password"),
        };
        let username = Some(decode(url.username())?).filter(|u| !u.is_empty());
        let host = if socket.is_some() { String::new() } else { url.host_str().ok_or_else(|| invalid("no host"))?.to_owned() };
        let port = url.port().unwrap_or(6379);
        Ok(StoreUrl { url, tls, socket, host, port, username, password, db })
    }

    /// What a log line or an exception may show: the URL with the password replaced.
    pub fn redacted(&self) -> String {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        let pairs: Vec<(String, String)> = shown.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        if pairs.iter().any(|(k, _)| k == "password") {
            shown.query_pairs_mut().clear().extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), if k == "password" { "***" } else { v.as_str() })));
        }
        shown.to_string()
    }
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A RESP2 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

pub struct Connection {
    stream: BufReader<Pin<Box<dyn Stream>>>,
}

impl Connection {
    /// Connects, authenticates and selects the database. The caller bounds the time it may take.
    pub async fn open(store: &StoreUrl) -> io::Result<Connection> {
        let stream: Pin<Box<dyn Stream>> = if let Some(path) = &store.socket {
            Box::pin(tokio::net::UnixStream::connect(path).await?)
        } else {
            let tcp = tokio::net::TcpStream::connect((store.host.as_str(), store.port)).await?;
            tcp.set_nodelay(true)?;
            if store.tls {
                Box::pin(tls(&store.host, tcp).await?)
            } else {
                Box::pin(tcp)
            }
        };
        let mut connection = Connection { stream: BufReader::new(stream) };
        if let Some(password) = &store.password {
            let reply = match &store.username {
                Some(user) => connection.command(&[b"AUTH", user.as_bytes(), password.as_bytes()]).await?,
                None => connection.command(&[b"AUTH", password.as_bytes()]).await?,
            };
            refused(reply)?;
        }
        if store.db != 0 {
            refused(connection.command(&[b"SELECT", store.db.to_string().as_bytes()]).await?)?;
        }
        Ok(connection)
    }

    /// Sends one command and reads its answer.
    pub async fn command(&mut self, args: &[&[u8]]) -> io::Result<Reply> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.get_mut().write_all(&out).await?;
        self.stream.get_mut().flush().await?;
        read_reply(&mut self.stream).await
    }
}

/// An error answer as an `io::Error` (a wrong password, say), with the server's words.
fn refused(reply: Reply) -> io::Result<Reply> {
    match reply {
        Reply::Error(message) => Err(io::Error::new(io::ErrorKind::PermissionDenied, message)),
        other => Ok(other),
    }
}

async fn tls(host: &str, tcp: tokio::net::TcpStream) -> io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let config = crate::http::transport::tls_config(true).map_err(|e| io::Error::other(e.to_string()))?;
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(io::Error::other)?;
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
}

fn read_reply<'a, R: AsyncRead + Unpin + Send>(
    reader: &'a mut BufReader<R>,
) -> Pin<Box<dyn std::future::Future<Output = io::Result<Reply>> + Send + 'a>> {
    Box::pin(async move {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the store closed the connection"));
        }
        if line.len() < 3 || !line.ends_with(b"\r\n") {
            return Err(bad_reply());
        }
        let text = String::from_utf8_lossy(&line[1..line.len() - 2]).into_owned();
        let number = || text.parse::<i64>().map_err(|_| bad_reply());
        Ok(match line[0] {
            b'+' => Reply::Status(text),
            b'-' => Reply::Error(text),
            b':' => Reply::Int(number()?),
            b'$' => match number()? {
                -1 => Reply::Bulk(None),
                n if n >= 0 => {
                    let mut data = vec![0; n as usize + 2];
                    reader.read_exact(&mut data).await?;
                    data.truncate(n as usize);
                    Reply::Bulk(Some(data))
                }
                _ => return Err(bad_reply()),
            },
            b'*' => match number()? {
                -1 => Reply::Array(None),
                n if n >= 0 => {
                    let mut items = Vec::with_capacity(n as usize);
                    for _ in 0..n {
                        items.push(read_reply(reader).await?);
                    }
                    Reply::Array(Some(items))
                }
                _ => return Err(bad_reply()),
            },
            _ => return Err(bad_reply()),
        })
    })
}

fn bad_reply() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "the store's answer is not RESP")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_never_show_the_password() {
        let store = StoreUrl::parse("redis://:s%40cret@cache.internal:6380/2").unwrap();
        assert_eq!((store.host.as_str(), store.port, store.db, store.tls), ("cache.internal", 6380, 2, false));
        assert_eq!(store.password.as_deref(), Some("s@cret"));
        assert!(!store.redacted().contains("cret"), "{}", store.redacted());
        assert!(!format!("{store:?} {store}").contains("cret"));
        let store = StoreUrl::parse("rediss://worker:pw@redis.example.com").unwrap();
        assert_eq!((store.username.as_deref(), store.port, store.db, store.tls), (Some("worker"), 6379, 0, true));
        let store = StoreUrl::parse("unix:///run/redis.sock?db=3&password=pw").unwrap();
        assert_eq!((store.socket.as_deref(), store.db, store.password.as_deref()), (Some("/run/redis.sock"), 3, Some("pw")));
        assert!(!store.redacted().contains("=pw"), "{}", store.redacted());
        for bad in ["", "http://x", "redis://host/notanumber", "unix://"] {
            assert!(StoreUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replies_parse() {
        let wire = b"+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n$1\r\nx\r\n".to_vec();
        let mut reader = BufReader::new(&wire[..]);
        let replies = crate::http::runtime::runtime().block_on(async {
            let mut out = Vec::new();
            for _ in 0..6 {
                out.push(read_reply(&mut reader).await.unwrap());
            }
            out
        });
        assert_eq!(replies, [
            Reply::Status("OK".into()),
            Reply::Error("ERR no".into()),
            Reply::Int(42),
            Reply::Bulk(Some(b"abc".to_vec())),
            Reply::Bulk(None),
            Reply::Array(Some(vec![Reply::Int(1), Reply::Bulk(Some(b"x".to_vec()))])),
        ]);
    }
}
