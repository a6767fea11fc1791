# busybox df, free, uptime and top: they read statfs(2), /proc/mounts, /proc/meminfo,
# /proc/uptime, /proc/loadavg and /proc/stat. Only relations are printed (sizes differ).
cd "$1" || exit 1
df / | awk 'NR == 2 { print "df lists /:", ($2 > 0), ($NF == "/") }'
df -k | awk '$NF == "/" { n++ } END { print "df root lines:", n }'
free | awk '/^Mem:/ { print "free: total > 0:", ($2 > 0), "free <= total:", ($4 <= $2) }'
echo "uptime says load average: $(uptime | grep -c 'load average')"
top -b -n 1 > top.txt
awk '/^CPU:/ { print "top CPU line:", (NF >= 14), ($2 ~ /%$/) }' top.txt
echo "top load line: $(grep -c '^Load average:' top.txt)"
echo "top Mem line: $(grep -c '^Mem:' top.txt)"
awk '{ split($4, a, "/"); print "loadavg:", NF, (a[1] >= 1), (a[2] >= a[1]) }' /proc/loadavg
