//! A TCP proxy between a server under test and PostgreSQL that can cut the database off:
//! [`ChaosProxy::break_connections`] drops every open connection and closes each new one as
//! soon as it is accepted (a database that refuses connections), [`ChaosProxy::restore`]
//! lets connections through again. The port stays the same throughout.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Whether connections pass, and the token that ends every connection of this period.
struct Gate {
    broken: bool,
    connections: CancellationToken,
}

struct Shared {
    backend: SocketAddr,
    gate: Mutex<Gate>,
    /// Connections closed on accept while broken (figures for reports).
    refused: AtomicUsize,
    /// Connections cut by `break_connections`.
    dropped: AtomicUsize,
    open: AtomicUsize,
}

impl Shared {
    fn gate(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

pub struct ChaosProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    accepting: JoinHandle<()>,
}

impl ChaosProxy {
    /// Listens on a free local port and forwards to `backend`.
    pub async fn start(backend: SocketAddr) -> std::io::Result<ChaosProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            backend,
            gate: Mutex::new(Gate {
                broken: false,
                connections: CancellationToken::new(),
            }),
            refused: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
        });
        let accepting = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(ChaosProxy {
            address,
            shared,
            accepting,
        })
    }

    /// A proxy in front of the database of `database_url`, and the URL that goes through it.
    pub async fn for_database(database_url: &str) -> (ChaosProxy, String) {
        let mut url = reqwest::Url::parse(database_url).expect("a database URL");
        let host = url.host_str().unwrap_or("127.0.0.1").to_string();
        let port = url.port().unwrap_or(5432);
        let backend = tokio::net::lookup_host((host.as_str(), port))
            .await
            .expect("the database host resolves")
            .next()
            .expect("an address for the database host");
        let proxy = ChaosProxy::start(backend).await.expect("the proxy listens");
        url.set_host(Some("127.0.0.1")).expect("host");
        url.set_port(Some(proxy.address.port())).expect("port");
        (proxy, url.to_string())
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Drops every open connection and closes new ones on accept until [`Self::restore`].
    /// Answers how many connections were cut.
    pub fn break_connections(&self) -> usize {
        let mut gate = self.shared.gate();
        gate.broken = true;
        let cut = self.shared.open.load(Ordering::SeqCst);
        self.shared.dropped.fetch_add(cut, Ordering::SeqCst);
        gate.connections.cancel();
        gate.connections = CancellationToken::new();
        cut
    }

    /// Lets new connections through again.
    pub fn restore(&self) {
        self.shared.gate().broken = false;
    }

    /// Connections closed on accept while broken.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Connections cut by [`Self::break_connections`] so far.
    pub fn dropped(&self) -> usize {
        self.shared.dropped.load(Ordering::SeqCst)
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.accepting.abort();
        self.shared.gate().connections.cancel();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        // Checked and taken under one lock: a break cannot slip between the two.
        let token = {
            let gate = shared.gate();
            (!gate.broken).then(|| gate.connections.clone())
        };
        match token {
            None => {
                shared.refused.fetch_add(1, Ordering::SeqCst);
                drop(client);
            }
            Some(token) => {
                tokio::spawn(forward(client, shared.clone(), token));
            }
        }
    }
}

async fn forward(mut client: TcpStream, shared: Arc<Shared>, token: CancellationToken) {
    shared.open.fetch_add(1, Ordering::SeqCst);
    tokio::select! {
        _ = token.cancelled() => {}
        _ = async {
            if let Ok(mut backend) = TcpStream::connect(shared.backend).await {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
            }
        } => {}
    }
    // Both sockets close here: the server sees its connection die mid-conversation.
    shared.open.fetch_sub(1, Ordering::SeqCst);
}
