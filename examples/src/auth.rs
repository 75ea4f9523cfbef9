//! JWT authentication as a tonic interceptor.
//!
//! The token comes in the `authorization` metadata, as `Bearer <token>` or
//! bare (the article's client sends it bare). A call without one is
//! `UNAUTHENTICATED` "no token"; a bad or expired one is `UNAUTHENTICATED`
//! too. Handlers find the caller in the request's extensions ([`Caller`]).
//! Health checks and server reflection are served without the interceptor.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::{Request, Status, service::Interceptor};

/// Who is calling, as the token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The user id of the token's subject.
    pub user_id: i32,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: u64,
    exp: u64,
}

/// Issues and checks HS256 tokens with one secret.
#[derive(Clone)]
pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth { .. }")
    }
}

impl Auth {
    /// Tokens signed with `secret`.
    pub fn new(secret: &[u8]) -> Auth {
        Auth {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// A token for `user_id`, valid for `ttl`.
    pub fn issue(&self, user_id: i32, ttl: Duration) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + ttl.as_secs(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_else(|err| unreachable!("HS256 signing cannot fail: {err}"))
    }

    /// The caller a token names, if it is valid and not expired.
    pub fn verify(&self, token: &str) -> Result<Caller, Status> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|err| Status::unauthenticated(format!("invalid token: {err}")))?;
        let user_id =
            data.claims.sub.parse().map_err(|_| {
                Status::unauthenticated("invalid token: its subject is not a user id")
            })?;
        Ok(Caller { user_id })
    }
}

impl Interceptor for Auth {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let header = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("no token"))?
            .to_str()
            .map_err(|_| Status::unauthenticated("invalid token: not ASCII"))?;
        let token = header.strip_prefix("Bearer ").unwrap_or(header).trim();
        if token.is_empty() {
            return Err(Status::unauthenticated("no token"));
        }
        let caller = self.verify(token)?;
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}
