//! GitHub App authentication: a JWT (RS256) signed with the App's private key buys an
//! installation access token, which is cached until shortly before it expires.

use std::collections::HashMap;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use sha2::Sha256;
use tokio::sync::Mutex;

use crate::api::{ApiError, GitHubApi, InstallationToken};
use crate::config::AppCredentials;

/// A token is renewed this long before it expires (GitHub's last for an hour), so one
/// handed out stays valid through the evaluation and callback that use it.
const RENEW_BEFORE: i64 = 5 * 60;

/// The App's JWT for `now` (Unix seconds): `iat` a minute back (clock drift), `exp` nine
/// minutes ahead (GitHub refuses more than ten), `iss` the App id.
pub fn app_jwt(credentials: &AppCredentials, now: i64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "iat": now - 60,
        "exp": now + 9 * 60,
        "iss": credentials.app_id.to_string(),
    });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{claims}");
    let key = SigningKey::<Sha256>::new(credentials.key.clone());
    let signature = key.sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

/// Installation tokens, bought on demand and cached per installation.
pub struct TokenCache {
    credentials: AppCredentials,
    api: GitHubApi,
    // One lock for the cache and the purchase: concurrent gates of one installation share
    // one request instead of racing for several tokens.
    cache: Mutex<HashMap<u64, InstallationToken>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("app_id", &self.credentials.app_id)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache buying tokens with `credentials` from `api`.
    pub fn new(credentials: AppCredentials, api: GitHubApi) -> Arc<TokenCache> {
        Arc::new(TokenCache {
            credentials,
            api,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A token of `installation_id` valid for at least five more minutes at `now`.
    pub async fn token(&self, installation_id: u64, now: i64) -> Result<String, ApiError> {
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache.get(&installation_id) {
            if t.expires_at - RENEW_BEFORE > now {
                return Ok(t.token.clone());
            }
        }
        let jwt = app_jwt(&self.credentials, now);
        let fresh = self
            .api
            .create_installation_token(&jwt, installation_id)
            .await?;
        let token = fresh.token.clone();
        cache.insert(installation_id, fresh);
        Ok(token)
    }

    /// Forgets a token GitHub refused (revoked, App reinstalled).
    pub async fn forget(&self, installation_id: u64) {
        self.cache.lock().await.remove(&installation_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;

    #[test]
    fn jwt_is_rs256_with_the_app_claims() {
        let mut rng = rand_core_compat();
        let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let creds = AppCredentials {
            app_id: 12345,
            key: key.clone(),
        };
        let jwt = app_jwt(&creds, 1_700_000_000);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT"}));
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            claims,
            serde_json::json!({"iat": 1_699_999_940, "exp": 1_700_000_540, "iss": "12345"})
        );
        let signature =
            Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
        let verifying = VerifyingKey::<Sha256>::new(key.to_public_key());
        verifying
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .unwrap();
    }

    fn rand_core_compat() -> rand_chacha::ChaCha20Rng {
        use rand_core::SeedableRng;
        rand_chacha::ChaCha20Rng::seed_from_u64(7)
    }
}
