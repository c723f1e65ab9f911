# zsh -f zcomp.zsh DIR LINE: what zsh's completion system offers at the end
# of LINE, with the completion functions of DIR first in $fpath: one
# candidate a line. An interactive zsh on a pseudo-terminal (zsh/zpty) gets
# LINE and a TAB; every match added is printed as it is added; then the line
# is erased (nothing is run).
zmodload zsh/zpty || exit 2
zpty z zsh -f -i || exit 2
zpty -w z "PS1='' RPS1=''"
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
# the tag is made at run time, so that the echo of this line has none
zpty -w z 'compadd() { local -a m; builtin compadd -O m "$@"; print -rl -- ${m/#/${(U):-cand}=}; builtin compadd "$@"; }'
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; bindkey '^I' complete-word"
zpty -n -w z "$2"$'\t'
zpty -n -w z $'\C-a\C-k'
zpty -w z 'print $((40 + 2))done'
while zpty -r z line; do
    [[ $line == 42done* ]] && break
    [[ $line == *CAND=* ]] && print -r -- ${${line##*CAND=}%%[$'\r\n']*}
done
zpty -d z
