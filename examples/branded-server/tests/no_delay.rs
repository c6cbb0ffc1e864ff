//! Connections are accepted with Nagle's algorithm off: a streamed answer (a download) on a
//! kept-alive connection must not wait for the client's delayed acknowledgement (about 40 ms
//! on Linux) before its body goes out. (What the stall cost, and what turning it off gained, is
//! measured by the load test, `bash ops/run load`, not timed here.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use axum::serve::{Listener as _, ListenerExt as _};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn accepted_connections_have_tcp_nodelay() {
    let mut listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .tap_io(branded_server::no_delay);
    let addr = listener.local_addr().unwrap();
    let _client = TcpStream::connect(addr).await.unwrap();
    let (accepted, _) = listener.accept().await;
    assert!(accepted.nodelay().unwrap());
}
