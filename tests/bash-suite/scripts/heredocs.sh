# Here-documents and here-strings: expansion, quoting, <<-, multiple on one command.
name=World
cat <<EOT
Hello, $name!
  sum: $((2+3))
EOT
cat <<'EOT'
No $expansion here: $(date)
EOT
cat <<-EOT
	tabs stripped
		one level kept
	EOT
tr a-z A-Z <<< "here string $name"
while read a b; do echo "$b-$a"; done <<EOF2
1 one
2 two
EOF2
cat <<A; cat <<B
first
A
second
B
read -r v <<< "  spaced   value  "; echo "[$v]"
