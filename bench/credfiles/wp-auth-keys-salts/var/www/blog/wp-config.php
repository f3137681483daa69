<?php
define( 'DB_NAME', 'blog' );
define( 'DB_USER', 'blog' );
define( 'DB_PASSWORD', getenv( 'BLOG_DB_PASSWORD' ) );
define( 'DB_HOST', 'localhost' );

/**#@+
 * Authentication unique keys and salts.
 *
 * Change these to different unique phrases! You can generate these using
 * the {@link https://api.wordpress.org/secret-key/1.1/salt/ WordPress.org secret-key service}.
 *
 * @since 2.6.0
 */
define( 'AUTH_KEY',         '#*3KnQ]OqW^,rcp)fxR@Cw6A<7_!$K>~|*]mg=[z9K0&SDa^9/5b.h6Uo!5H2(%v' );
define( 'SECURE_AUTH_KEY',  '3BQy`1Txtny^?XX:_.i9zT60<R)/B=l|A<N(~?,n-`|Owu(?F!%33Od(#RF/F>[E' );
define( 'LOGGED_IN_KEY',    'DMFj+B}rw*f7zqX+3-Tk-Dn>o84Sj*&kcJ!q%1cSUiyRDaZy$!Uyy8(?txaj|xLn' );
define( 'NONCE_KEY',        '$RaW._8:Cz5NA=K%DM?kl14&zXeVYIS4~ c7G=PxH71}{$ZegrN;FE>>--)6y^ZX' );
define( 'AUTH_SALT',        'n}1rX@x?]3D({$M!8q8(${UcbB@E9^JVI&PM^rxRZ;4y}m6ewHHyDUlHV|^n-O8S' );
define( 'SECURE_AUTH_SALT', 'X+yi~f($-k{S.a%k?:gkYwC8q/t c%: - bi{/AB(Y-PV3ceo 383TbiMTdoe4RG' );
define( 'LOGGED_IN_SALT',   'put your unique phrase here' );
define( 'NONCE_SALT',       'put your unique phrase here' );

/**#@-*/

$table_prefix = 'wp_';
