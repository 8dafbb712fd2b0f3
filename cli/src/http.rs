//! A plain HTTP/1.1 GET for `verify --portal`, on `std::net` alone: the
//! command line needs one small JSON document from the portal, which is no
//! reason to build an async runtime and an HTTP library. No TLS (http://
//! only); redirects to http:// addresses are followed (at most 5).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long connecting, and each read or write, may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of a body read (a draw list can be long; a draw is small).
const MAX_BODY: u64 = 64 * 1024 * 1024;
/// The longest status or header line read.
const MAX_LINE: u64 = 64 * 1024;
const MAX_REDIRECTS: usize = 5;

/// A response: its status code and reason phrase, and its body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The parts of an `http://` address: host (without IPv6 brackets), port, the
/// `Host` header value, and the path with its query.
#[derive(Debug, PartialEq, Eq)]
struct Address {
    host: String,
    port: u16,
    authority: String,
    target: String,
}

fn parse(url: &str) -> Result<Address, String> {
    let rest = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
        .ok_or_else(|| format!("not an http:// address: {url}"))?;
    let rest = rest.split('#').next().unwrap_or_default();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(end);
    if authority.contains('@') {
        return Err("user names in the address are not supported".to_owned());
    }
    let target = match target {
        "" => "/".to_owned(),
        t if t.starts_with('?') => format!("/{t}"),
        t => t.to_owned(),
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(|| format!("bad address: {authority}"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => 80,
        Some(p) => p.parse().map_err(|_| format!("bad port in {authority}"))?,
    };
    if host.is_empty() {
        return Err(format!("no host in {url}"));
    }
    Ok(Address { host: host.to_owned(), port, authority: authority.to_owned(), target })
}

fn connect(address: &Address) -> Result<TcpStream, String> {
    let candidates = (address.host.as_str(), address.port).to_socket_addrs().map_err(|e| e.to_string())?;
    let mut last = format!("{} has no address", address.host);
    for candidate in candidates {
        match TcpStream::connect_timeout(&candidate, TIMEOUT) {
            Ok(stream) => {
                stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
                stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
                return Ok(stream);
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

/// One line without its CRLF (or LF), refusing an endless one.
fn line(reader: &mut impl BufRead) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader.take(MAX_LINE).read_until(b'\n', &mut bytes).map_err(|e| e.to_string())?;
    if bytes.last() != Some(&b'\n') {
        return Err("the response ended early or has an over-long line".to_owned());
    }
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|_| "a header of the response is not text".to_owned())
}

/// Reads at most `limit` bytes more into `body`; more than [`MAX_BODY`] in all is refused.
fn read_into(reader: &mut impl Read, limit: u64, body: &mut Vec<u8>) -> Result<(), String> {
    let room = MAX_BODY.saturating_sub(body.len() as u64);
    reader.take(limit.min(room + 1)).read_to_end(body).map_err(|e| e.to_string())?;
    if body.len() as u64 > MAX_BODY {
        return Err(format!("the response is larger than {MAX_BODY} bytes"));
    }
    Ok(())
}

/// A body sent with `Transfer-Encoding: chunked`.
fn chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let size = line(reader)?;
        let size = size.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(size, 16).map_err(|_| format!("bad chunk size '{size}'"))?;
        if size == 0 {
            // Trailers, up to the empty line (or the end of the stream).
            while line(reader).is_ok_and(|l| !l.is_empty()) {}
            return Ok(body);
        }
        let before = body.len() as u64;
        read_into(reader, size, &mut body)?;
        if body.len() as u64 - before != size {
            return Err("the response ended inside a chunk".to_owned());
        }
        line(reader)?;
    }
}

/// One request and its response, without following redirects; the
/// `Location` of a redirect is returned beside it.
fn once(address: &Address) -> Result<(Response, Option<String>), String> {
    let mut stream = connect(address)?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nUser-Agent: gongkai/{}\r\nConnection: close\r\n\r\n",
        address.target,
        address.authority,
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let status_line = line(&mut reader)?;
    let mut parts = status_line.splitn(3, ' ');
    let (version, status) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let status: u16 = match (version.starts_with("HTTP/1."), status.parse()) {
        (true, Ok(s)) => s,
        _ => return Err(format!("not an HTTP/1 response: {status_line}")),
    };
    let reason = parts.next().unwrap_or_default().to_owned();
    let (mut length, mut is_chunked, mut location) = (None, false, None);
    loop {
        let header = line(&mut reader)?;
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<u64>().map_err(|_| format!("bad content-length '{value}'"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            is_chunked = value.to_ascii_lowercase().split(',').any(|c| c.trim() == "chunked");
        } else if name.eq_ignore_ascii_case("location") {
            location = Some(value.to_owned());
        }
    }
    let body = if is_chunked {
        chunked(&mut reader)?
    } else {
        let mut body = Vec::new();
        read_into(&mut reader, length.unwrap_or(u64::MAX), &mut body)?;
        if length.is_some_and(|n| body.len() as u64 != n) {
            return Err("the response ended before its content-length".to_owned());
        }
        body
    };
    let redirect = matches!(status, 301 | 302 | 303 | 307 | 308).then_some(location).flatten();
    Ok((Response { status, reason, body }, redirect))
}

/// `GET url`: the response, after following redirects to http:// addresses.
pub fn get(url: &str) -> Result<Response, String> {
    let mut address = parse(url)?;
    for _ in 0..=MAX_REDIRECTS {
        let (response, redirect) = once(&address)?;
        let Some(location) = redirect else { return Ok(response) };
        address = if location.starts_with('/') {
            Address { target: location, ..address }
        } else if location.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")) {
            return Err(format!("redirected to {location}: this build has no TLS"));
        } else {
            parse(&location)?
        };
    }
    Err(format!("more than {MAX_REDIRECTS} redirects"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(host: &str, port: u16, authority: &str, target: &str) -> Address {
        Address { host: host.into(), port, authority: authority.into(), target: target.into() }
    }

    #[test]
    fn reads_http_addresses() {
        assert_eq!(parse("http://example.org").unwrap(), address("example.org", 80, "example.org", "/"));
        assert_eq!(
            parse("HTTP://127.0.0.1:3000/api/draws?q=1#x").unwrap(),
            address("127.0.0.1", 3000, "127.0.0.1:3000", "/api/draws?q=1")
        );
        assert_eq!(parse("http://[::1]:8080?q").unwrap(), address("::1", 8080, "[::1]:8080", "/?q"));
        for wrong in ["https://example.org", "ftp://x", "http://", "http://a:b/", "http://u@host/"] {
            assert!(parse(wrong).is_err(), "{wrong}");
        }
    }

    /// Serves each of `responses` to one connection, in turn.
    fn serve(responses: Vec<String>) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (stream, response) in listener.incoming().zip(responses) {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                while line(&mut reader).is_ok_and(|l| !l.is_empty()) {}
                stream.write_all(response.as_bytes()).unwrap();
            }
        });
        base
    }

    #[test]
    fn reads_chunked_and_sized_bodies_and_follows_redirects() {
        let base = serve(vec![
            "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n".into(),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n".into(),
            "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}".into(),
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".into(),
        ]);
        let r = get(&format!("{base}/a")).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, b"{\"a\":1}".as_slice()));
        let r = get(&base).unwrap();
        assert_eq!(
            (r.status, r.reason.as_str(), r.body.as_slice(), r.is_success()),
            (404, "Not Found", b"{}".as_slice(), false)
        );
        assert!(get(&base).unwrap_err().contains("before its content-length"));
    }
}
