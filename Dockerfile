# keyward as a container image.
#
#   docker build -t keyward .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/src" keyward scan .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/src" keyward scan --history .
#
# The repository is mounted at /src (the working directory). keyward reads git
# with a library (gix), so the image has no git. A repository owned by another
# user is still read (gix opens it with reduced trust where git would stop with
# "dubious ownership"), but run with `--user "$(id -u):$(id -g)"` anyway: the
# image's own user (65532) cannot write report files (-o, --report) into a
# directory that belongs to you, and with your uid they come out owned by you.
#
# tests/it/docker.rs checks this file: stages, release build, non-root user,
# and that every file the build needs is copied (and not in .dockerignore).

# ---- build -------------------------------------------------------------------
FROM rust:1-slim-bookworm AS builder
WORKDIR /build
# Release build without debug info (Cargo.toml keeps line tables for profiling).
ENV CARGO_PROFILE_RELEASE_DEBUG=0

# What `cargo build` needs: the manifest and lock file, the build script and
# the rule packs it embeds, the sources, the files they include_str! (hooks/,
# docs/), and the bench/example targets the manifest declares (cargo reads
# every target's path even when it builds only the binary).
COPY Cargo.toml Cargo.lock build.rs ./
COPY rules/ rules/
COPY hooks/ hooks/
COPY docs/ docs/
COPY benches/ benches/
COPY bench/quality/ bench/quality/
COPY src/ src/

RUN cargo build --release --locked --bin keyward \
 && ./target/release/keyward --version

# ---- runtime -----------------------------------------------------------------
# glibc and libgcc_s, nothing else: no shell, no package manager, no git.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="keyward" \
      org.opencontainers.image.description="Repository secret scanner and pre-commit guard" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

COPY --from=builder /build/target/release/keyward /usr/local/bin/keyward

WORKDIR /src
# distroless's "nonroot" user; `docker run --user` overrides it.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/keyward"]
CMD ["scan", "."]
