#!/usr/bin/env python3
"""Writes the placeholder / encrypted-material corpus (bench/placeholders/).

Negatives: token-shaped values with placeholder bodies (sequential runs,
alternating-case walks, repeated characters, a body spelling its own name,
truncated values) and encrypted material (SOPS, SealedSecret, Ansible Vault,
age armor and recipients, Rails credentials.yml.enc), each laid out as the
format's own documentation describes it. Positives: the same providers with
random bodies, and plaintext secrets planted next to the ciphertext.

Deterministic (fixed seed): `python3 bench/placeholders/gen.py` rewrites the
corpus and answers.toml byte for byte.
"""
import base64, os, random, zlib

R = random.Random(20261206)
HERE = os.path.dirname(os.path.abspath(__file__))
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"
LET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
answers = []
files = {}


def rnd(alpha, n):
    return "".join(R.choice(alpha) for _ in range(n))


def b62(n, width):
    s = ""
    while n:
        s = B62[n % 62] + s
        n //= 62
    return s.rjust(width, "0")


def crc_token(prefix, body30):
    return prefix + body30 + b62(zlib.crc32(body30.encode()), 6)


# name, env key, make(body_fn) -> token; alphabet of the body; body length
def simple(prefix, alpha, n):
    return lambda f: prefix + f(alpha, n)


PROVIDERS = [
    ("github", "GITHUB_TOKEN", "ghp_", B62, 36, "crc"),
    ("npm", "NPM_TOKEN", "npm_", B62, 36, "crc"),
    ("slack", "SLACK_BOT_TOKEN", "xoxb-", None, 0, "slack"),
    ("stripe", "STRIPE_SECRET_KEY", "sk_live_", B62, 24, None),
    ("gitlab", "GITLAB_TOKEN", "glpat-", B62, 20, None),
    ("sendgrid", "SENDGRID_API_KEY", "SG.", None, 0, "sendgrid"),
    ("huggingface", "HF_TOKEN", "hf_", LET, 34, None),
    ("digitalocean", "DIGITALOCEAN_TOKEN", "dop_v1_", HEX, 64, None),
    ("linear", "LINEAR_API_KEY", "lin_api_", B62, 40, None),
    ("notion", "NOTION_TOKEN", "ntn_", B62, 46, None),
    ("shopify", "SHOPIFY_ACCESS_TOKEN", "shpat_", HEX, 32, None),
    ("groq", "GROQ_API_KEY", "gsk_", B62, 52, None),
    ("xai", "XAI_API_KEY", "xai-", B62, 80, None),
    ("databricks", "DATABRICKS_TOKEN", "dapi", HEX, 32, None),
    ("pulumi", "PULUMI_ACCESS_TOKEN", "pul-", HEX, 40, None),
    ("perplexity", "PERPLEXITY_API_KEY", "pplx-", B62, 48, None),
    ("replicate", "REPLICATE_API_TOKEN", "r8_", B62, 37, None),
    ("mailgun", "MAILGUN_API_KEY", "key-", HEX, 32, None),
    ("aws", "AWS_ACCESS_KEY_ID", "AKIA", B32, 16, None),
]

SEQ = "1234567890abcdefghijklmnopqrstuvwxyz"


def fill(pattern, alpha, n):
    """`pattern` cycled to n characters, kept to the body's alphabet."""
    keep = [c for c in pattern if c in alpha] or [alpha[0]]
    return "".join(keep[i % len(keep)] for i in range(n))


def seq(alpha, n):
    if alpha == B32:
        return fill("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", alpha, n)
    if alpha == LET:
        return fill("abcdefghijklmnopqrstuvwxyz", alpha, n)
    if alpha == HEX:
        return fill("0123456789abcdef", alpha, n)
    return fill(SEQ, alpha, n)


def alt(alpha, n):
    if alpha == B32:  # one case only: a backwards walk instead
        return fill("ZYXWVUTSRQPONMLK", alpha, n)
    if alpha == HEX:
        return fill("abcdef0123456789", alpha, n)
    return fill("AbCdEfGhIjKlMnOpQrStUvWxYz", alpha, n)


def rep(alpha, n):
    return fill("0" if "0" in alpha else "a", alpha, n)


def rep2(alpha, n):
    return fill("ab" if "b" in alpha else "AB", alpha, n)


def token(p, body_fn, name=None):
    prov, key, prefix, alpha, n, kind = p
    if kind == "crc":
        return crc_token(prefix, body_fn(alpha, 30))
    if kind == "slack":
        d = "0123456789"
        return "xoxb-%s-%s-%s" % (body_fn(d, 12), body_fn(d, 13), body_fn(B62, 24))
    if kind == "sendgrid":
        a = B62 + "_-"
        return "SG.%s.%s" % (body_fn(a, 22), body_fn(a, 43))
    return prefix + body_fn(alpha, n)


def spelled(p):
    """A body spelling the key's own name, then its provider name."""
    prov, key, prefix, alpha, n, kind = p
    word = key.lower().replace("_", "") + prov
    def f(a, m):
        if a in (HEX, "0123456789"):
            return seq(a, m)
        w = "".join(c if c in a else c.upper() for c in word)
        w = "".join(c for c in w if c in a)
        return (w * (m // len(w) + 1))[:m]
    return f


def add(path, lines):
    files.setdefault(path, []).extend(lines)


def answer(path, secret, positive):
    line = len(files[path])  # 1-based line of the line just added
    answers.append((path, line, secret, positive))


for p in PROVIDERS:
    prov, key = p[0], p[1]
    path = "tokens/%s.env" % prov
    add(path, ["# %s: placeholder bodies, then real-looking tokens" % prov])
    for label, fn in [("sequential", seq), ("alternating", alt), ("repeated", rep),
                      ("two-repeated", rep2), ("own-name", spelled(p))]:
        t = token(p, fn)
        add(path, ["%s=%s" % (key, t)])
        answer(path, t, False)
    for t in [p[2] + "...", p[2] + "\u2026"]:
        add(path, ["%s=%s" % (key, t)])
        answer(path, t, False)
    for _ in range(2):
        t = token(p, rnd)
        add(path, ["%s=%s" % (key, t)])
        answer(path, t, True)

# the issue's own example: a body spelling its key name, then a run
add("tokens/mixpanel.env", ['MIXPANEL_API_KEY="mixpanel_api_key_ghijklmnopqrstuvwxyz"'])
answer("tokens/mixpanel.env", "mixpanel_api_key_ghijklmnopqrstuvwxyz", False)


def b64(nbytes):
    return base64.b64encode(os.urandom(0) + bytes(R.getrandbits(8) for _ in range(nbytes))).decode()


def enc(n, typ="str"):
    return "ENC[AES256_GCM,data:%s,iv:%s,tag:%s,type:%s]" % (b64(n), b64(32), b64(16), typ)


def age_recipient():
    return "age1" + rnd(BECH, 58)


def age_armor(indent, nbytes=180):
    body = base64.b64encode(b"age-encryption.org/v1\n-> X25519 " + bytes(R.getrandbits(8) for _ in range(nbytes))).decode()
    out = [indent + "-----BEGIN AGE ENCRYPTED FILE-----"]
    out += [indent + body[i:i + 64] for i in range(0, len(body), 64)]
    out.append(indent + "-----END AGE ENCRYPTED FILE-----")
    return out


def vault_lines(indent, nbytes=120):
    salt = bytes(R.getrandbits(8) for _ in range(32)).hex()
    mac = bytes(R.getrandbits(8) for _ in range(32)).hex()
    ct = bytes(R.getrandbits(8) for _ in range(nbytes)).hex()
    inner = ("%s\n%s\n%s" % (salt, mac, ct)).encode().hex()
    return [indent + inner[i:i + 80] for i in range(0, len(inner), 80)]


# SOPS YAML (with a key marked `_unencrypted`: plaintext on purpose)
p = "encrypted/secrets.sops.yaml"
add(p, ["database:"])
for k in ["password", "user"]:
    v = enc(18)
    add(p, ["    %s: %s" % (k, v)]); answer(p, v, False)
v = enc(40); add(p, ["stripe_secret_key: %s" % v]); answer(p, v, False)
v = enc(51); add(p, ["github_token: %s" % v]); answer(p, v, False)
real = token(PROVIDERS[3], rnd)
add(p, ["stripe_backup_key_unencrypted: %s" % real]); answer(p, real, True)
add(p, ["sops:", "    kms:", "        - arn: arn:aws:kms:eu-west-1:123456789012:key/1f6c2a3e-7d4b-4c8a-9e2f-5a6b7c8d9e0f",
        "          created_at: \"2026-11-02T09:14:03Z\""])
v = b64(184); add(p, ["          enc: %s" % v]); answer(p, v, False)
add(p, ["          aws_profile: \"\"", "    gcp_kms: []", "    azure_kv: []", "    hc_vault: []", "    age:"])
r = age_recipient(); add(p, ["        - recipient: %s" % r]); answer(p, r, False)
add(p, ["          enc: |"]); add(p, age_armor("            "))
add(p, ["    lastmodified: \"2026-11-02T09:14:05Z\""])
v = enc(32); add(p, ["    mac: %s" % v]); answer(p, v, False)
add(p, ["    pgp: []", "    unencrypted_suffix: _unencrypted", "    version: 3.9.1"])

# SOPS JSON
p = "encrypted/config.sops.json"
add(p, ["{"])
v = enc(24); add(p, ['\t"api_token": "%s",' % v]); answer(p, v, False)
v = enc(30); add(p, ['\t"db_password": "%s",' % v]); answer(p, v, False)
r = age_recipient()
armor = "\\n".join(age_armor("")) + "\\n"
add(p, ['\t"sops": {', '\t\t"kms": null,', '\t\t"age": [', '\t\t\t{',
        '\t\t\t\t"recipient": "%s",' % r, '\t\t\t\t"enc": "%s"' % armor, '\t\t\t}', '\t\t],',
        '\t\t"lastmodified": "2026-11-02T09:20:11Z",'])
v = enc(32); add(p, ['\t\t"mac": "%s",' % v]); answer(p, v, False)
add(p, ['\t\t"version": "3.9.1"', '\t}', '}'])

# SOPS dotenv
p = "encrypted/prod.sops.env"
v = enc(36); add(p, ["OPENAI_API_KEY=%s" % v]); answer(p, v, False)
v = enc(20); add(p, ["DB_PASSWORD=%s" % v]); answer(p, v, False)
v = enc(40); add(p, ["AWS_SECRET_ACCESS_KEY=%s" % v]); answer(p, v, False)
add(p, ["sops_age__list_0__map_enc=%s" % ("\\n".join(age_armor("")) + "\\n")])
r = age_recipient(); add(p, ["sops_age__list_0__map_recipient=%s" % r]); answer(p, r, False)
add(p, ["sops_lastmodified=2026-11-02T09:31:40Z"])
v = enc(32); add(p, ["sops_mac=%s" % v]); answer(p, v, False)
add(p, ["sops_unencrypted_suffix=_unencrypted", "sops_version=3.9.1"])

# SOPS INI
p = "encrypted/app.sops.ini"
add(p, ["[database]"])
v = enc(22); add(p, ["password = %s" % v]); answer(p, v, False)
add(p, ["[smtp]"])
v = enc(16); add(p, ["secret = %s" % v]); answer(p, v, False)
add(p, ["[sops]"])
add(p, ["age__list_0__map_enc = %s" % ("\\n".join(age_armor("")) + "\\n")])
r = age_recipient(); add(p, ["age__list_0__map_recipient = %s" % r]); answer(p, r, False)
add(p, ["lastmodified = 2026-11-02T09:40:02Z"])
v = enc(32); add(p, ["mac = %s" % v]); answer(p, v, False)
add(p, ["version = 3.9.1"])

# Bitnami SealedSecret (encryptedData values start with the 0x02 0x00 session-key header: "Ag")
def sealed():
    return base64.b64encode(b"\x02\x00" + bytes(R.getrandbits(8) for _ in range(540))).decode()

p = "encrypted/sealed-secret.yaml"
add(p, ["apiVersion: bitnami.com/v1alpha1", "kind: SealedSecret", "metadata:", "  name: shop-db",
        "  namespace: shop", "spec:", "  encryptedData:"])
for k in ["password", "api-token", "stripe-secret-key"]:
    v = sealed(); add(p, ["    %s: %s" % (k, v)]); answer(p, v, False)
add(p, ["  template:", "    metadata:", "      name: shop-db", "      namespace: shop", "    type: Opaque"])

# Ansible Vault: a whole file, and an inline `!vault |` value next to a plaintext one
p = "encrypted/group_vars/all/vault.yml"
add(p, ["$ANSIBLE_VAULT;1.1;AES256"])
for l in vault_lines(""):
    add(p, [l]); answer(p, l, False)
p = "encrypted/host_vars/web1.yml"
add(p, ["ansible_host: 10.0.4.12", "db_password: !vault |", "          $ANSIBLE_VAULT;1.2;AES256;prod"])
for l in vault_lines("          ", 48):
    add(p, [l]); answer(p, l, False)
real = token(PROVIDERS[0], rnd)
add(p, ["github_token: %s" % real]); answer(p, real, True)

# age: an armored file, recipients (public keys), and an identity (a secret)
p = "encrypted/backup.tar.age"
for l in age_armor("", 400):
    add(p, [l])
    if not l.startswith("-----"):
        answer(p, l, False)
p = "encrypted/.sops-recipients.txt"
add(p, ["# age recipients (public keys) allowed to decrypt"])
for _ in range(3):
    r = age_recipient(); add(p, [r]); answer(p, r, False)
p = "keys/age-identity.txt"
add(p, ["# created: 2026-11-02T09:00:00Z", "# public key: %s" % age_recipient()])
k = "AGE-SECRET-KEY-1" + rnd(BECH.upper(), 58)
add(p, [k]); answer(p, k, True)

# Rails encrypted credentials: encrypted_data--iv--auth_tag (base64 each)
p = "encrypted/config/credentials.yml.enc"
v = "%s--%s--%s" % (b64(220), b64(12), b64(16))
add(p, [v]); answer(p, v, False)
p = "encrypted/config/credentials/production.yml.enc"
v = "%s--%s--%s" % (b64(96), b64(12), b64(16))
add(p, [v]); answer(p, v, False)

# Kubernetes Secrets: placeholders in base64 (negatives), real values (positives)
p = "k8s/secret-placeholders.yaml"
add(p, ["apiVersion: v1", "kind: Secret", "metadata:", "  name: api-keys", "type: Opaque", "data:"])
for k, plain in [("anthropic-api-key", "sk-ant-..."), ("openai-api-key", "sk-proj-\u2026"),
                 ("db-password", "changeme"), ("api-token", "<your-key>"),
                 ("github-token", "ghp_1234567890abcdefghijklmnopqrstuvwxyz")]:
    v = base64.b64encode(plain.encode()).decode()
    add(p, ["  %s: %s" % (k, v)]); answer(p, v, False)
p = "k8s/secret-real.yaml"
add(p, ["apiVersion: v1", "kind: Secret", "metadata:", "  name: api-keys", "type: Opaque", "data:"])
for k, plain in [("db-password", rnd(B62 + "!#%", 20)), ("stripe-secret-key", token(PROVIDERS[3], rnd))]:
    v = base64.b64encode(plain.encode()).decode()
    add(p, ["  %s: %s" % (k, v)]); answer(p, v, True)

for path, lines in files.items():
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
with open(os.path.join(HERE, "answers.toml"), "w", encoding="utf-8") as f:
    f.write("# Labelled answers for bench/placeholders (written by gen.py).\n"
            "# positive = true: a secret keyward must report; false: a placeholder or\n"
            "# ciphertext it must not report.\n")
    for path, line, secret, positive in answers:
        s = secret.replace("\\", "\\\\").replace('"', '\\"')
        f.write('\n[[answer]]\npath = "%s"\nline = %d\nsecret = "%s"\npositive = %s\n'
                % (path, line, s, "true" if positive else "false"))
