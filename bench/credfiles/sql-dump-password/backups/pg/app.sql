--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';

CREATE ROLE app_rw;
ALTER ROLE app_rw WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN PASSWORD 'SCRAM-SHA-256$4096:c2FsdHlzYWx0eXNhbHQ=$dGhpc2lzbm90YXJlYWxrZXlidXRsb29rc2xpa2VvbmU=:YW5vdGhlcm9uZXRoYXRsb29rc3JlYWxpc3RpY2FsbHk=';
CREATE ROLE legacy LOGIN PASSWORD 'md5a3556571e93b0d20722ba62be61e8c2d';

CREATE TABLE public.members (
    id integer NOT NULL,
    login text NOT NULL,
    password_hash text,
    bio text
);

COPY public.members (id, login, password_hash, bio) FROM stdin;
1	alice	$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHR2YWx1ZQ$Lq3Wm8Zr5Tb0Yx7Nc2Vd9Hk4Pj1Sg6Fa3Ue8Ro5Ki2M	likes tea
2	bob	\N	\N
3	carol	pbkdf2_sha256$600000$Xk2mQ9pL$Zq8Rn3Vt6Wy9Ab2Cd5Ef8Gh1Ij4Kl7Mn0Op3Qr6St9U=	password is not here
\.

ALTER USER postgres WITH PASSWORD '${POSTGRES_PASSWORD}';
