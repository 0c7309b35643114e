# test script for SshLabTest: who runs node scripts, and does it get its arguments intact
id -u
printf '%s\n' "$1"
