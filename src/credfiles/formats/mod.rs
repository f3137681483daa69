//! The first batch of credential-file formats: one file per format.

mod docker;
mod firefox;
mod git_credentials;
mod htpasswd;
mod iam_csv;
mod maven;
mod my_cnf;
mod netrc;
mod npmrc;
mod pgpass;
mod pip_conf;
mod pypirc;
mod rails_key;
mod shadow;
mod yarnrc;

/// This batch's parsers, by the name rules give in `parser = "…"`.
pub const PARSERS: &[(&str, crate::credfiles::Parser)] = &[
    ("netrc", netrc::parse),
    ("pgpass", pgpass::parse),
    ("git-credentials", git_credentials::parse),
    ("my-cnf", my_cnf::parse),
    ("htpasswd", htpasswd::parse),
    ("shadow", shadow::parse),
    ("docker-config", docker::parse),
    ("maven-settings", maven::parse),
    ("npmrc", npmrc::parse),
    ("yarnrc", yarnrc::parse),
    ("pypirc", pypirc::parse),
    ("pip-conf", pip_conf::parse),
    ("rails-key", rails_key::parse),
    ("iam-csv", iam_csv::parse),
    ("firefox-logins", firefox::parse),
];
