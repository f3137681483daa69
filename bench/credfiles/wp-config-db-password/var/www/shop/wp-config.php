<?php
// Managed by deploy; staging and production differ only in the database.
if ( getenv( 'WP_ENV' ) === 'staging' ) {
	define( 'DB_NAME', 'shop_staging' );
	define( 'DB_USER', 'shop_staging' );
	define( 'DB_PASSWORD', 'password_here' );
	define( 'DB_HOST', 'db-staging.internal' );
} else {
	define( 'DB_NAME', 'shop' );
	define( 'DB_USER', 'shop' );
	define("DB_PASSWORD", "Kx9!vT3#qLm7Wz2p");
	define( 'DB_HOST', 'db-prod.internal:3306' );
}
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$table_prefix = 'shop_';
