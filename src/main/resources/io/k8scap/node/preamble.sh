# The start of every node script: NodeScript puts this before each one (nodes' scripts never repeat it).
# The node's tools wherever distributions put them, also when the login or sudo PATH is short:
# /opt/bin (Flatcar, Talos-like images), /home/kubernetes/bin (GKE's COS). The C locale: tools'
# output (ip, tcpdump, iptables-save) is parsed, and their messages must not be translated.
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/bin:/home/kubernetes/bin"
LC_ALL=C
export PATH LC_ALL
