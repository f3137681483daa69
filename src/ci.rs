//! CI mode: picks which commits to scan from the CI provider's environment
//! (GitHub Actions, GitLab CI; full history elsewhere) and renders a short
//! markdown job summary.

use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::git::HistorySelection;
use crate::source::repo::Repo;
use std::fmt::Write;

/// Which commits a CI run scans, and why.
#[derive(Debug, Clone)]
pub struct CiScope {
    /// `GitHub Actions`, `GitLab CI` or `none detected`.
    pub provider: &'static str,
    pub selection: HistorySelection,
    /// One line for the log: what is scanned and why.
    pub reason: String,
}

fn zero(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'0')
}

/// The first 12 characters (input from the environment: not always hex).
fn short(s: &str) -> String {
    s.chars().take(12).collect()
}

fn full_history(provider: &'static str, why: String) -> CiScope {
    CiScope {
        provider,
        selection: HistorySelection::default(),
        reason: format!("full history (HEAD and every ref): {why}"),
    }
}

/// `base..head`, or a fallback when `base` is not in the clone.
fn range(repo: Repo<'_>, provider: &'static str, base: &str, head: &str, what: &str) -> CiScope {
    if !repo.has_commit(head) {
        return full_history(
            provider,
            format!("{what}: head commit {} is not in this clone", short(head)),
        );
    }
    if !repo.has_commit(base) {
        return CiScope {
            provider,
            selection: HistorySelection {
                tips: vec![head.to_string()],
                ..HistorySelection::default()
            },
            reason: format!(
                "everything reachable from {}: {what}, but base commit {} is not in this clone (shallow checkout? fetch full history: `fetch-depth: 0` / `GIT_DEPTH: 0`)",
                short(head),
                short(base)
            ),
        };
    }
    CiScope {
        provider,
        selection: HistorySelection {
            tips: vec![head.to_string()],
            hidden: vec![base.to_string()],
            hide_remote_tracking: false,
        },
        reason: format!("commits {}..{}: {what}", short(base), short(head)),
    }
}

/// A branch new to the remote: the pushed commits that no other
/// remote-tracking branch (nor a tag) already has; all of its history when
/// there is nothing to compare with.
fn new_branch(
    repo: Repo<'_>,
    provider: &'static str,
    head: &str,
    branch: Option<&str>,
    what: &str,
) -> CiScope {
    let own = branch.map(|b| format!("/{b}"));
    let mut hidden: Vec<String> = repo
        .remote_branches()
        .into_iter()
        .filter(|name| {
            !(name.ends_with("/HEAD") || own.as_ref().is_some_and(|o| name.ends_with(o)))
        })
        .collect();
    hidden.sort();
    if hidden.is_empty() {
        return CiScope {
            provider,
            selection: HistorySelection {
                tips: vec![head.to_string()],
                ..HistorySelection::default()
            },
            reason: format!(
                "everything reachable from {}: {what} (new branch) and no other remote branch to compare with",
                short(head)
            ),
        };
    }
    let n = hidden.len();
    CiScope {
        provider,
        selection: HistorySelection {
            tips: vec![head.to_string()],
            hidden,
            hide_remote_tracking: false,
        },
        reason: format!(
            "commits reachable from {} that none of {n} other remote branch(es) has: {what} (new branch)",
            short(head)
        ),
    }
}

/// [`detect`] for the repository at `repo`.
pub fn detect_at(
    repo: &std::path::Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<CiScope, crate::source::git::GitError> {
    Ok(detect(crate::source::repo::open(repo)?.repo(), env))
}

/// Chooses the scan scope from the CI environment. `env` looks a variable
/// up (`std::env::var` in the CLI); `repo` is the checked-out repository
/// (a [`Repo`], or the handle [`crate::source::git::open`] returns).
pub fn detect<'r>(repo: impl Into<Repo<'r>>, env: impl Fn(&str) -> Option<String>) -> CiScope {
    let repo = repo.into();
    let get = |k: &str| {
        env(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if get("GITHUB_ACTIONS").as_deref() == Some("true") {
        return github(repo, &get);
    }
    if get("GITLAB_CI").is_some() {
        return gitlab(repo, &get);
    }
    full_history(
        "none detected",
        "no CI provider detected (GITHUB_ACTIONS / GITLAB_CI not set)".into(),
    )
}

fn github(repo: Repo<'_>, get: &dyn Fn(&str) -> Option<String>) -> CiScope {
    const P: &str = "GitHub Actions";
    let event_name = get("GITHUB_EVENT_NAME").unwrap_or_else(|| "unknown".into());
    let Some(path) = get("GITHUB_EVENT_PATH") else {
        return full_history(P, format!("{event_name} event, GITHUB_EVENT_PATH not set"));
    };
    let event: serde_json::Value = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            return full_history(P, format!("cannot read event file {path}: {e}"));
        }
    };
    let s = |v: &serde_json::Value| v.as_str().map(str::to_string).filter(|s| !s.is_empty());
    let pr = &event["pull_request"];
    if let (Some(base), Some(head)) = (s(&pr["base"]["sha"]), s(&pr["head"]["sha"])) {
        let what = match pr["number"].as_u64() {
            Some(n) => format!("{event_name} event, pull request #{n} (base.sha..head.sha)"),
            None => format!("{event_name} event (pull_request.base.sha..head.sha)"),
        };
        return range(repo, P, &base, &head, &what);
    }
    if let (Some(before), Some(after)) = (s(&event["before"]), s(&event["after"])) {
        if zero(&after) {
            return full_history(P, format!("{event_name} event deletes a ref"));
        }
        let branch = get("GITHUB_REF")
            .or_else(|| s(&event["ref"]))
            .map(|r| r.trim_start_matches("refs/heads/").to_string());
        if zero(&before) || !repo.has_commit(&before) {
            let what = if zero(&before) {
                format!("{event_name} event creates the branch")
            } else {
                format!(
                    "{event_name} event, previous tip {} not in this clone (force push?)",
                    short(&before)
                )
            };
            return new_branch(repo, P, &after, branch.as_deref(), &what);
        }
        return range(
            repo,
            P,
            &before,
            &after,
            &format!("{event_name} event (before..after)"),
        );
    }
    full_history(P, format!("{event_name} event has no commit range"))
}

fn gitlab(repo: Repo<'_>, get: &dyn Fn(&str) -> Option<String>) -> CiScope {
    const P: &str = "GitLab CI";
    let Some(head) = get("CI_COMMIT_SHA") else {
        return full_history(P, "CI_COMMIT_SHA not set".into());
    };
    if let Some(base) = get("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        let what = match get("CI_MERGE_REQUEST_IID") {
            Some(n) => {
                format!("merge request !{n} (CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA)")
            }
            None => "merge request (CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA)".into(),
        };
        return range(repo, P, &base, &head, &what);
    }
    let branch = get("CI_COMMIT_BRANCH").or_else(|| get("CI_COMMIT_REF_NAME"));
    match get("CI_COMMIT_BEFORE_SHA") {
        Some(before) if !zero(&before) && repo.has_commit(&before) => range(
            repo,
            P,
            &before,
            &head,
            "push (CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA)",
        ),
        Some(before) if !zero(&before) => new_branch(
            repo,
            P,
            &head,
            branch.as_deref(),
            &format!(
                "push, CI_COMMIT_BEFORE_SHA {} not in this clone (force push?)",
                short(&before)
            ),
        ),
        _ => new_branch(
            repo,
            P,
            &head,
            branch.as_deref(),
            "push with no previous tip (CI_COMMIT_BEFORE_SHA is zero)",
        ),
    }
}

/// Escapes text for a markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// Table rows shown before "... and N more".
const MAX_ROWS: usize = 50;

/// A markdown job summary: scope, counts by severity, one row per location
/// (rule, path:line, commit), secrets redacted.
pub fn markdown_summary(scope: &CiScope, findings: &[Finding], scanned: &str) -> String {
    let mut out = String::from("## keyward secret scan\n\n");
    let _ = writeln!(out, "Scope: {}  \n{}\n", cell(&scope.reason), cell(scanned));
    if findings.is_empty() {
        out.push_str("**No secrets found.**\n");
        return out;
    }
    let sevs = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];
    let _ = writeln!(
        out,
        "**{} finding(s)** — fails the job.\n\n| severity | findings |\n| --- | ---: |",
        findings.len()
    );
    for s in sevs {
        let n = findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            let _ = writeln!(out, "| {} | {n} |", s.as_str());
        }
    }
    out.push_str(
        "\n| severity | rule | location | commit | secret |\n| --- | --- | --- | --- | --- |\n",
    );
    let mut rows = 0usize;
    let total: usize = findings.iter().map(|f| f.locations.len()).sum();
    'outer: for f in findings {
        for l in &f.locations {
            if rows == MAX_ROWS {
                break 'outer;
            }
            rows += 1;
            let commit = l
                .commit
                .as_deref()
                .map(|c| c.chars().take(10).collect::<String>());
            let _ = writeln!(
                out,
                "| {} | {} (`{}`) | `{}:{}` | {} | `{}` |",
                f.severity.as_str(),
                cell(&f.rule_name),
                cell(&f.rule_id),
                cell(&l.path),
                l.line,
                commit
                    .map(|c| format!("`{}`", cell(&c)))
                    .unwrap_or_default(),
                cell(&f.shown_secret(true)),
            );
        }
    }
    if total > rows {
        let _ = writeln!(
            out,
            "\n... and {} more location(s) in the job log.",
            total - rows
        );
    }
    out.push_str(
        "\nA false alarm? Add `keyward:allow` in a comment on the line (in the commit that \
         adds it), or accept it with `keyward baseline update --history` and commit \
         `.keyward-baseline.json`. A real secret: \
         rotate it, then remove it from the branch's history.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a|b\nc`d"), "a\\|b c'd");
    }

    #[test]
    fn no_provider_means_full_history() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = crate::source::repo::init(d.path()).unwrap_or_else(|e| panic!("{e}"));
        let s = detect(repo.repo(), |_| None);
        assert_eq!(s.provider, "none detected");
        assert!(s.selection.tips.is_empty());
        assert!(s.reason.contains("full history"), "{}", s.reason);
    }
}
