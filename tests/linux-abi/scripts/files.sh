# Files and directories through busybox applets: mkdir, touch, cp, mv, ln, rm, stat, find, ls.
cd "$1" || exit 1
mkdir -p a/b/c
echo data > a/b/c/file
cp a/b/c/file a/copy
mv a/copy a/moved
ln a/moved a/hard
ln -s moved a/soft
echo "readlink: $(readlink a/soft)"
echo "links: $(stat -c %h a/moved)"
echo "size: $(stat -c %s a/b/c/file)"
echo "type dir: $(stat -c %F a/b)"
echo "type link: $(stat -c %F a/soft)"
chmod 640 a/moved; echo "mode: $(stat -c %a a/moved)"
ls a | sort | tr '\n' ' '; echo
find a -type f | sort
[ -f a/soft ] && echo "soft link resolves"
[ -L a/soft ] && echo "is a symlink"
rm a/hard; echo "links after rm: $(stat -c %h a/moved)"
dd if=/dev/zero of=zeros bs=1024 count=64 2>/dev/null; echo "zeros: $(wc -c < zeros)"
head -c 100000 /dev/zero | wc -c
echo "cat missing: $(cat missing 2>&1 >/dev/null | grep -c 'No such file')"
mkdir a 2>/dev/null || echo "mkdir existing fails"
rmdir a 2>/dev/null || echo "rmdir non-empty fails"
rm -r a; [ -e a ] || echo "removed"
touch t; mv t u; ls t 2>/dev/null || echo "renamed away"
