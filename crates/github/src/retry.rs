//! When to retry a request, and how long to wait first.
//!
//! GitHub's guidance for integrations: retry server errors with backoff; on a secondary
//! rate limit wait `Retry-After` seconds when it is sent, else until `x-ratelimit-reset`
//! when `x-ratelimit-remaining` is 0; never retry other client errors (they will not get
//! better). The decision is a pure function so each rule is tested without a server.

use std::time::Duration;

/// How hard the client tries before giving up.
///
/// ```
/// use std::time::Duration;
/// use helmpilot_github::RetryPolicy;
/// // A policy for tests: same rules, millisecond waits.
/// let fast = RetryPolicy {
///     initial_delay: Duration::from_millis(1),
///     max_delay: Duration::from_millis(4),
///     ..RetryPolicy::default()
/// };
/// assert_eq!(fast.max_attempts, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made at most for one call (the first one included).
    pub max_attempts: u32,
    /// The wait before the second attempt; it doubles for each further attempt.
    pub initial_delay: Duration,
    /// The longest backoff wait (a `Retry-After` from GitHub is honoured as sent).
    pub max_delay: Duration,
    /// The most time one call may spend, waits included; a rate limit asking for longer is
    /// reported instead of waited out, so a job fails in a minute rather than hangs.
    pub budget: Duration,
    /// The longest one request may take before it counts as a connection error.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, waits of 1, 2, 4 and 8 s, at most 60 s in all, 20 s per request.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(16),
            budget: Duration::from_secs(60),
            request_timeout: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// The backoff wait after `attempt` failed attempts (1-based): `initial * 2^(attempt-1)`,
    /// capped at `max_delay`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(20);
        self.initial_delay
            .saturating_mul(factor)
            .min(self.max_delay)
    }
}

/// What came back from one attempt, reduced to what the retry rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub ratelimit_remaining: Option<String>,
    pub ratelimit_reset: Option<String>,
    /// GitHub's JSON `message`, when the body has one.
    pub message: Option<String>,
}

/// One attempt's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Answer(Answer),
    /// No answer: connection refused or reset, DNS, TLS, timeout.
    Transport,
}

/// What to do after an attempt that did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Report this outcome.
    Stop,
    /// GitHub asks for a wait longer than the budget left.
    RateLimitTooLong(Duration),
}

/// Why a rate-limit wait was chosen, to tell it apart from a plain backoff.
enum Wait {
    Backoff(Duration),
    RateLimit(Duration),
}

/// Decides after `attempts` requests (1-based), `elapsed` since the first one, with the
/// clock at `now_epoch` seconds (for `x-ratelimit-reset`).
pub(crate) fn decide(
    policy: &RetryPolicy,
    attempts: u32,
    elapsed: Duration,
    outcome: &Outcome,
    now_epoch: u64,
) -> Decision {
    let wait = match outcome {
        Outcome::Transport => Wait::Backoff(policy.backoff(attempts)),
        Outcome::Answer(a) => match classify(a, now_epoch) {
            Some(Wait::Backoff(_)) => Wait::Backoff(policy.backoff(attempts)),
            Some(w) => w,
            None => return Decision::Stop,
        },
    };
    if attempts >= policy.max_attempts {
        return Decision::Stop;
    }
    let left = policy.budget.saturating_sub(elapsed);
    match wait {
        Wait::Backoff(d) if d <= left => Decision::Retry(d),
        Wait::Backoff(_) => Decision::Stop,
        Wait::RateLimit(d) if d <= left => Decision::Retry(d),
        Wait::RateLimit(d) => Decision::RateLimitTooLong(d),
    }
}

/// `None` when the answer must not be retried.
fn classify(a: &Answer, now_epoch: u64) -> Option<Wait> {
    match a.status {
        500..=599 => Some(Wait::Backoff(Duration::ZERO)),
        403 | 429 => {
            if let Some(secs) = a
                .retry_after
                .as_deref()
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                return Some(Wait::RateLimit(Duration::from_secs(secs)));
            }
            if a.ratelimit_remaining.as_deref().map(str::trim) == Some("0") {
                if let Some(reset) = a
                    .ratelimit_reset
                    .as_deref()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    // One second of slack: the reset time is whole seconds.
                    let secs = reset.saturating_sub(now_epoch).saturating_add(1);
                    return Some(Wait::RateLimit(Duration::from_secs(secs)));
                }
            }
            let secondary = a
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
            // 429 is always a rate limit; a 403 only when GitHub says so (otherwise it is a
            // permission problem that waiting will not fix).
            (a.status == 429 || secondary).then_some(Wait::Backoff(Duration::ZERO))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16) -> Answer {
        Answer {
            status,
            ..Answer::default()
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = policy();
        let waits: Vec<u64> = (1..=7).map(|a| p.backoff(a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 16, 16]);
        // The default policy's waits before giving up fit well inside the budget.
        let total: Duration = (1..p.max_attempts).map(|a| p.backoff(a)).sum();
        assert_eq!(total, Duration::from_secs(15));
    }

    #[test]
    fn server_errors_and_transport_errors_are_retried_with_backoff() {
        let p = policy();
        for status in [500, 502, 503, 504] {
            let o = Outcome::Answer(answer(status));
            assert_eq!(
                decide(&p, 1, Duration::ZERO, &o, NOW),
                Decision::Retry(Duration::from_secs(1))
            );
            assert_eq!(
                decide(&p, 3, Duration::ZERO, &o, NOW),
                Decision::Retry(Duration::from_secs(4))
            );
        }
        assert_eq!(
            decide(&p, 2, Duration::ZERO, &Outcome::Transport, NOW),
            Decision::Retry(Duration::from_secs(2))
        );
    }

    #[test]
    fn attempts_are_bounded() {
        let p = policy();
        let o = Outcome::Answer(answer(502));
        assert_eq!(decide(&p, 5, Duration::ZERO, &o, NOW), Decision::Stop);
        assert_eq!(
            decide(&p, 5, Duration::ZERO, &Outcome::Transport, NOW),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_past_the_budget_stops() {
        let p = policy();
        let o = Outcome::Answer(answer(500));
        assert_eq!(
            decide(&p, 4, Duration::from_secs(55), &o, NOW),
            Decision::Stop
        );
    }

    #[test]
    fn other_client_errors_are_not_retried() {
        let p = policy();
        for status in [400, 401, 403, 404, 410, 422] {
            let o = Outcome::Answer(Answer {
                message: Some("Resource not accessible by integration".into()),
                ..answer(status)
            });
            assert_eq!(
                decide(&p, 1, Duration::ZERO, &o, NOW),
                Decision::Stop,
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_on_403_and_429() {
        let p = policy();
        for status in [403, 429] {
            let o = Outcome::Answer(Answer {
                retry_after: Some("7".into()),
                ..answer(status)
            });
            assert_eq!(
                decide(&p, 1, Duration::ZERO, &o, NOW),
                Decision::Retry(Duration::from_secs(7))
            );
        }
    }

    #[test]
    fn retry_after_longer_than_the_budget_is_reported() {
        let p = policy();
        let o = Outcome::Answer(Answer {
            retry_after: Some("120".into()),
            ..answer(403)
        });
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &o, NOW),
            Decision::RateLimitTooLong(Duration::from_secs(120))
        );
        let o = Outcome::Answer(Answer {
            retry_after: Some("30".into()),
            ..answer(429)
        });
        assert_eq!(
            decide(&p, 2, Duration::from_secs(40), &o, NOW),
            Decision::RateLimitTooLong(Duration::from_secs(30))
        );
    }

    #[test]
    fn exhausted_rate_limit_waits_until_reset() {
        let p = policy();
        let o = Outcome::Answer(Answer {
            ratelimit_remaining: Some("0".into()),
            ratelimit_reset: Some((NOW + 9).to_string()),
            message: Some("API rate limit exceeded for installation ID 1.".into()),
            ..answer(403)
        });
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &o, NOW),
            Decision::Retry(Duration::from_secs(10))
        );
        // A reset in the past still waits the one second of slack.
        let o = Outcome::Answer(Answer {
            ratelimit_remaining: Some("0".into()),
            ratelimit_reset: Some((NOW - 5).to_string()),
            ..answer(403)
        });
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &o, NOW),
            Decision::Retry(Duration::from_secs(1))
        );
    }

    #[test]
    fn remaining_quota_without_other_signs_is_a_permission_error() {
        let p = policy();
        let o = Outcome::Answer(Answer {
            ratelimit_remaining: Some("4999".into()),
            ratelimit_reset: Some((NOW + 9).to_string()),
            ..answer(403)
        });
        assert_eq!(decide(&p, 1, Duration::ZERO, &o, NOW), Decision::Stop);
    }

    #[test]
    fn secondary_rate_limit_message_without_headers_backs_off() {
        let p = policy();
        let o = Outcome::Answer(Answer {
            message: Some("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.".into()),
            ..answer(403)
        });
        assert_eq!(
            decide(&p, 2, Duration::ZERO, &o, NOW),
            Decision::Retry(Duration::from_secs(2))
        );
        // A bare 429 is a rate limit too.
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &Outcome::Answer(answer(429)), NOW),
            Decision::Retry(Duration::from_secs(1))
        );
    }

    #[test]
    fn unparseable_retry_after_falls_back_to_the_other_signals() {
        let p = policy();
        let o = Outcome::Answer(Answer {
            retry_after: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            ..answer(403)
        });
        assert_eq!(decide(&p, 1, Duration::ZERO, &o, NOW), Decision::Stop);
    }
}
