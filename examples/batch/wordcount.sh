# The batch job of examples/batch, run by busybox sh: count the lines and
# words of every text file in $IN (default /data), write one line per file
# and a total to $OUT (default /out)/wordcounts.tsv, and print it.
set -eu
in=${IN:-/data}
out=${OUT:-/out}
result="$out/wordcounts.tsv"
tmp="$out/.wordcounts.tsv.tmp"

files=0
words=0
printf 'file\tlines\twords\n' >"$tmp"
for f in "$in"/*.txt; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .txt)
	l=$(wc -l <"$f")
	w=$(wc -w <"$f")
	printf '%s\t%d\t%d\n' "$name" "$l" "$w" >>"$tmp"
	files=$((files + 1))
	words=$((words + w))
done
printf 'total\t%d files\t%d\n' "$files" "$words" >>"$tmp"
mv "$tmp" "$result"
cat "$result"
