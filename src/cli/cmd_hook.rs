//! `keyward hook install|uninstall|status`.

use super::args::HookCommand;
use super::output::EXIT_CLEAN;
use anyhow::{Context, Result};

pub fn run(cmd: HookCommand) -> Result<u8> {
    use keyward::hook::{self, HookKind, Installed, Uninstalled};
    match cmd {
        HookCommand::Install {
            pre_push,
            force,
            repo,
        } => {
            let dir = hook::hooks_dir(&repo)?;
            let exe = std::env::current_exe()
                .and_then(|p| p.canonicalize())
                .context("cannot find the path of this keyward binary")?;
            let kinds: &[HookKind] = if pre_push {
                &HookKind::ALL
            } else {
                &[HookKind::PreCommit]
            };
            println!(
                "keyward: hooks directory {} ({})",
                dir.path.display(),
                dir.source
            );
            for &kind in kinds {
                let path = dir.path.join(kind.name());
                let outcome = hook::install(&dir.path, kind, Some(&exe), force)?;
                match &outcome {
                    Installed::New => println!("keyward: installed {}", path.display()),
                    Installed::Updated => println!("keyward: updated {}", path.display()),
                    Installed::Chained(c) => println!(
                        "keyward: installed {}; the hook it replaced is now {} and runs after keyward's scan passes (`keyward hook uninstall` puts it back)",
                        path.display(),
                        c.display()
                    ),
                }
                let st = hook::status(&dir.path, kind);
                if let (Installed::New | Installed::Updated, Some((c, _))) = (outcome, &st.chained)
                {
                    println!(
                        "keyward: {} runs {} after keyward's scan passes",
                        path.display(),
                        c.display()
                    );
                }
            }
            println!(
                "keyward: the hooks run {} (or $KEYWARD if set)",
                exe.display()
            );
            Ok(EXIT_CLEAN)
        }
        HookCommand::Uninstall { repo } => {
            let dir = hook::hooks_dir(&repo)?;
            for kind in HookKind::ALL {
                let path = dir.path.join(kind.name());
                match hook::uninstall(&dir.path, kind) {
                    Ok(Uninstalled::NotInstalled) => {}
                    Ok(Uninstalled::Removed) => println!("keyward: removed {}", path.display()),
                    Ok(Uninstalled::Restored) => println!(
                        "keyward: removed keyward's hook and restored the hook it replaced, {}",
                        path.display()
                    ),
                    Err(e @ hook::HookError::NotOurs { .. }) => println!("keyward: {e}"),
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(EXIT_CLEAN)
        }
        HookCommand::Status { repo } => {
            let dir = hook::hooks_dir(&repo)?;
            println!("hooks directory: {} ({})", dir.path.display(), dir.source);
            let framework = hook::framework(&repo)?;
            let configured = matches!(framework, Some((_, hook::Framework::Configured { .. })));
            for kind in HookKind::ALL {
                let st = hook::status(&dir.path, kind);
                println!("{}", hook::describe_with(&st, configured));
            }
            if let Some((path, f)) = &framework {
                println!("{}", hook::describe_framework(path, f));
            }
            Ok(EXIT_CLEAN)
        }
    }
}
