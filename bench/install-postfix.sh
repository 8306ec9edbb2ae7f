#!/usr/bin/env bash
# Installs Postfix's binaries for the benchmarks (smtp-sink, smtp-source, postfix) without configuring
# or starting a mail system: debconf is preseeded with "No configuration". Run as root (Debian/Ubuntu).
set -euo pipefail
if [ -x /usr/sbin/smtp-sink ] && [ -x /usr/sbin/smtp-source ] && [ -x /usr/sbin/postfix ]; then
  exit 0
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix
# The package may start a system instance on some images; the benchmarks run their own.
if command -v postfix >/dev/null && [ -f /etc/postfix/main.cf ]; then
  postfix stop 2>/dev/null || true
fi
