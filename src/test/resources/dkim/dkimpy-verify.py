# Verifies every DKIM-Signature of a message with dkimpy (python3-dkim), the keys read from a file
# instead of DNS: argv[1] the message, argv[2] lines of "<dns name>\t<TXT record>".
# Prints one line per signature, top to bottom: "pass", or "fail" and why.
import sys

import dkim

with open(sys.argv[1], 'rb') as f:
    message = f.read()
records = {}
with open(sys.argv[2], 'rb') as f:
    for line in f.read().splitlines():
        name, record = line.split(b'\t', 1)
        records[name.lower().rstrip(b'.')] = record


def txt(name, timeout=5):
    return records.get(name.lower().rstrip(b'.'))


count = sum(1 for name, _ in dkim.DKIM(message).headers if name.lower() == b'dkim-signature')
for index in range(count):
    try:
        print('pass' if dkim.DKIM(message).verify(idx=index, dnsfunc=txt) else 'fail')
    except dkim.DKIMException as e:
        print('fail', str(e).replace('\n', ' '))
