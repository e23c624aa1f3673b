//! The core client: configuration plus the one request path every call goes through.

use std::sync::Arc;

use crate::config::{Endpoint, Options};
use crate::error::Result;
use crate::model::Record;
use crate::request::ApiRequest;
use crate::response::decode_record;
use crate::schema::Schema;
use crate::transport::{self, ConnectionPool, RawResponse};

/// Cheap to clone; clones and `with_options` copies share the endpoint and, when the connect timeout is the
/// same, the connection pool.
#[derive(Clone)]
pub struct Client {
    endpoint: Arc<Endpoint>,
    pool: Arc<ConnectionPool>,
    options: Options,
}

impl Client {
    pub fn new(endpoint: Endpoint, options: Options) -> Client {
        let pool = ConnectionPool::new(options.connect_timeout);
        Client { endpoint: Arc::new(endpoint), pool, options }
    }

    /// A copy with other options. The connect timeout is a property of a connection pool, so a copy with a
    /// different one gets its own pool.
    pub fn with_options(&self, options: Options) -> Client {
        let pool = if options.connect_timeout == self.pool.connect_timeout() {
            Arc::clone(&self.pool)
        } else {
            ConnectionPool::new(options.connect_timeout)
        };
        Client { endpoint: Arc::clone(&self.endpoint), pool, options }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn close(&self) {
        self.pool.close();
    }

    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// THE request path: every call, sync or async, single or bulk, comes through here (retries and pacing
    /// slot in at this point).
    pub async fn execute(&self, request: &ApiRequest) -> Result<RawResponse> {
        transport::send(&self.pool, &self.endpoint.base_url, &self.endpoint.api_key, &self.options, request).await
    }

    /// Executes a request whose answer is one object of `schema`.
    pub async fn fetch_record(&self, request: &ApiRequest, schema: &'static Schema) -> Result<Record> {
        let response = self.execute(request).await?;
        decode_record(response, schema, &self.endpoint.api_key)
    }
}
