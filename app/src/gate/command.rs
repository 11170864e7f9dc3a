//! `/helmpilot approve <env>` and `/helmpilot reject <env> <reason>` in comments.

use super::ManualCommand;

/// The first command in a comment `body` written by `author` at `at` (Unix seconds), or
/// `None` when it has none.
///
/// A command is a line of its own starting with `/helmpilot` (leading spaces allowed);
/// lines quoted with `>` and lines inside fenced code blocks are not commands, so quoting
/// someone else's command or showing the syntax does not act. The verb is
/// case-insensitive; an environment name with spaces can be written in double quotes.
/// A rejection's reason is the rest of the line (empty when none is given). Whether the
/// author may use commands is the policy's business, not the parser's.
///
/// ```
/// use helmpilot_app::gate::parse_command;
/// let c = parse_command("LGTM\n/helmpilot approve production\n", "alice", 1_700_000_000)
///     .expect("a command");
/// assert!(c.approve);
/// assert_eq!(c.environment, "production");
/// let c = parse_command("/helmpilot reject \"prod eu\" migration not reviewed", "bob", 0)
///     .expect("a command");
/// assert_eq!((c.approve, c.environment.as_str(), c.reason.as_str()),
///            (false, "prod eu", "migration not reviewed"));
/// assert_eq!(parse_command("> /helmpilot approve production", "carol", 0), None);
/// ```
pub fn parse_command(body: &str, author: &str, at: i64) -> Option<ManualCommand> {
    let mut in_fence = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let Some(rest) = trimmed.strip_prefix("/helmpilot") else {
            continue;
        };
        // `/helmpilotx` is another word, not the command.
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        if let Some(command) = parse_line(rest.trim(), author, at) {
            return Some(command);
        }
    }
    None
}

fn parse_line(rest: &str, author: &str, at: i64) -> Option<ManualCommand> {
    let (verb, args) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(v, a)| (v, a.trim_start()));
    let approve = match verb.to_ascii_lowercase().as_str() {
        "approve" => true,
        "reject" => false,
        _ => return None,
    };
    let (environment, reason) = if let Some(quoted) = args.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], quoted[end + 1..].trim())
    } else {
        args.split_once(char::is_whitespace)
            .map_or((args, ""), |(e, r)| (e, r.trim()))
    };
    if environment.trim().is_empty() {
        return None;
    }
    // An approval takes no reason; anything after the name is ignored, not an error, as
    // people add "thanks" and the like.
    Some(ManualCommand {
        author: author.to_string(),
        environment: environment.to_string(),
        approve,
        reason: if approve {
            String::new()
        } else {
            reason.to_string()
        },
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(env: &str, approve: bool, reason: &str) -> Option<ManualCommand> {
        Some(ManualCommand {
            author: "alice".into(),
            environment: env.into(),
            approve,
            reason: reason.into(),
            at: 42,
        })
    }

    #[test]
    fn commands_and_non_commands() {
        let cases = [
            ("/helmpilot approve production", cmd("production", true, "")),
            (
                "  /helmpilot   APPROVE   production  ",
                cmd("production", true, ""),
            ),
            (
                "/helmpilot approve production thanks!",
                cmd("production", true, ""),
            ),
            (
                "/helmpilot reject production the migration is not reviewed",
                cmd("production", false, "the migration is not reviewed"),
            ),
            ("/helmpilot reject staging", cmd("staging", false, "")),
            ("/helmpilot approve \"prod eu\"", cmd("prod eu", true, "")),
            (
                "Looks good.\r\n\r\n/helmpilot approve prod\r\n",
                cmd("prod", true, ""),
            ),
            (
                "/helmpilot approve staging\n/helmpilot reject staging no",
                cmd("staging", true, ""),
            ),
            // A broken first command does not hide a good one below it.
            (
                "/helmpilot aprove prod\n/helmpilot approve prod",
                cmd("prod", true, ""),
            ),
            ("/helmpilot approve", None),
            ("/helmpilot approve \"prod eu", None),
            ("/helmpilot deploy prod", None),
            ("/helmpilotapprove prod", None),
            ("please /helmpilot approve prod", None),
            ("> /helmpilot approve prod", None),
            ("```\n/helmpilot approve prod\n```", None),
            ("~~~md\n/helmpilot approve prod\n~~~\n", None),
            (
                "```\nexample\n```\n/helmpilot approve prod",
                cmd("prod", true, ""),
            ),
            ("", None),
        ];
        for (body, want) in cases {
            assert_eq!(parse_command(body, "alice", 42), want, "{body:?}");
        }
    }
}
