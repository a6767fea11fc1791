# Pathname expansion: *, ?, [...], nullglob, failglob, dotglob, extglob, globstar, nocaseglob.
shopt -s extglob                # extglob changes parsing: it must be on before the line is read
mkdir -p g/sub/deep && cd g
touch a.txt b.txt c.log .hidden Abc sub/x.txt sub/deep/y.txt
echo *.txt
echo ?.log
echo [ab].*
echo *.none
shopt -s nullglob; echo "null: [" *.none "]"; shopt -u nullglob
shopt -s dotglob; echo .h* *hid*; shopt -u dotglob
echo !(*.txt|sub); echo +(a|b).txt
shopt -s globstar; echo **/*.txt; shopt -u globstar
shopt -s nocaseglob; echo abc; echo [a]bc; shopt -u nocaseglob
( shopt -s failglob; echo *.zzz ) 2>&1 | sed 's/^.*: //'
case "file.tar.gz" in *.tar.*) echo "case glob ok";; esac
[[ abc == a* ]] && echo "[[ glob ]] ok"
set -f; echo *.txt; set +f
