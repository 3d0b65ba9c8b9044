#!/usr/bin/env bash
# Checks docs/deploy/nginx/portal.conf with this machine's nginx (Debian's: apt-get install nginx), as a
# normal user, without touching /etc/nginx or port 80: the site is copied into a temporary prefix with
# loopback ports, a throwaway certificate and local log paths, and `nginx -t` reads it.
#
#   docs/deploy/check-nginx.sh                  # nginx -t in a temporary prefix, removed afterwards
#   docs/deploy/check-nginx.sh PREFIX HTTP_PORT HTTPS_PORT APP_PORT_1 APP_PORT_2
#       # the same in PREFIX, which is kept: `nginx -p PREFIX -e PREFIX/logs/error.log -c nginx.conf`
#       # then serves the site on 127.0.0.1:HTTPS_PORT in front of the instances on APP_PORT_1 and _2
#       # (tests/test_deploy_nginx.py does exactly that).
#
# NGINX=/path/to/nginx chooses another binary. Exits non-zero when nginx refuses the configuration.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
site="$here/nginx/portal.conf"
nginx="${NGINX:-/usr/sbin/nginx}"
if [ ! -x "$nginx" ]; then
  echo "check-nginx: no nginx at $nginx (apt-get install nginx, or set NGINX)" >&2
  exit 2
fi

if [ "$#" -eq 0 ]; then
  prefix="$(mktemp -d)"
  trap 'rm -rf "$prefix"' EXIT
  set -- "$prefix" 18080 18443 18001 18002
elif [ "$#" -ne 5 ]; then
  sed -n '5,10p' "$0" >&2
  exit 2
fi
prefix="$1" http_port="$2" https_port="$3" app_1="$4" app_2="$5"
mkdir -p "$prefix/logs" "$prefix/tmp"

if [ ! -s "$prefix/cert.pem" ]; then
  command -v openssl >/dev/null || { echo "check-nginx: openssl is needed for the test certificate (apt-get install openssl)" >&2; exit 2; }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=interns.example.org" -addext "subjectAltName=DNS:interns.example.org,IP:127.0.0.1" \
    -keyout "$prefix/key.pem" -out "$prefix/cert.pem" 2>/dev/null
fi

# The lines the site file's header names, pointed at the prefix; the IPv6 listens are dropped.
sed -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$http_port;|" \
    -e "s|^\([[:space:]]*\)listen 443 ssl http2;|\1listen 127.0.0.1:$https_port ssl http2;|" \
    -e '/listen \[::\]/d' \
    -e "s|server 127\.0\.0\.1:8001 |server 127.0.0.1:$app_1 |" \
    -e "s|server 127\.0\.0\.1:8002 |server 127.0.0.1:$app_2 |" \
    -e "s|ssl_certificate /etc/letsencrypt/live/interns.example.org/fullchain.pem;|ssl_certificate $prefix/cert.pem;|" \
    -e "s|ssl_certificate_key /etc/letsencrypt/live/interns.example.org/privkey.pem;|ssl_certificate_key $prefix/key.pem;|" \
    -e "s|alias /srv/portal/portal/static/;|alias $root/portal/static/;|" \
    -e "s|/var/log/nginx/|$prefix/logs/|" \
    "$site" >"$prefix/portal.conf"
for line in "127.0.0.1:$https_port ssl" "server 127.0.0.1:$app_1 " "server 127.0.0.1:$app_2 " "$prefix/cert.pem" "alias $root/"; do
  grep -qF "$line" "$prefix/portal.conf" || { echo "check-nginx: the site file no longer has the line for: $line" >&2; exit 1; }
done

# A main configuration like Debian's /etc/nginx/nginx.conf, with everything inside the prefix. As root the
# workers run as the caller, so they can read the checkout and write the prefix.
{
  if [ "$(id -u)" = 0 ]; then echo "user $(id -un) $(id -gn);"; fi
  cat <<CONF
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 128; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $prefix/logs/access.log;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/portal.conf;
}
CONF
} >"$prefix/nginx.conf"

"$nginx" -t -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/nginx.conf"
