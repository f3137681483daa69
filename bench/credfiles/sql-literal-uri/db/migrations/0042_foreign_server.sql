CREATE EXTENSION IF NOT EXISTS dblink;
UPDATE integrations SET endpoint = 'amqp://billing:Bl5#mQ2vTx8@mq.internal:5672/billing' WHERE name = 'billing';
