#!/bin/sh
# Pull running configs off the access switches.
for sw in sw-a1 sw-a2 sw-b1; do
  sshpass -p "Sw!tch-9Kq2vR" ssh -o StrictHostKeyChecking=no netops@$sw 'show running-config' > "$sw.cfg"
done
