-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;

--
-- Table structure for table `customers`
--

DROP TABLE IF EXISTS `customers`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `customers` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `email` varchar(191) NOT NULL,
  `password` varchar(255) DEFAULT NULL,
  `password_reset_token` varchar(64) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `customers_email_unique` (`email`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4;

--
-- Dumping data for table `customers`
--

LOCK TABLES `customers` WRITE;
/*!40000 ALTER TABLE `customers` DISABLE KEYS */;
INSERT INTO `customers` VALUES (1,'anna@example.org','$2y$10$rYw.PJ7xxVvzOgwsQopkO1A0QS0.4K/e0x76zRaUUtk9FJrURZfHS','9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c','2024-01-05 10:11:12'),(2,'ben@example.org','summer2024',NULL,'2024-01-06 09:00:00'),(3,'guest@example.org',NULL,NULL,'2024-01-07 08:00:00'),(4,'sso@example.org','',NULL,'2024-01-08 07:00:00');
/*!40000 ALTER TABLE `customers` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `settings`
--

CREATE TABLE `settings` (
  `name` varchar(64) NOT NULL,
  `value` text,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB;

INSERT INTO `settings` VALUES ('smtp_host','smtp.example.org'),('password_policy','min12');

CREATE USER 'shop'@'%' IDENTIFIED BY 'Sh0p-Db!Pass';
CREATE USER 'report'@'10.%' IDENTIFIED WITH mysql_native_password AS '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';
GRANT SELECT ON shop.* TO 'report'@'10.%';
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
