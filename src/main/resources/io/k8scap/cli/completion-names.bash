
# Names from the cluster: pods for a target, namespaces (-n), contexts (--context), nodes (--node),
# asked of `k8scap __complete`, which answers within about a second and says nothing on errors
# (kubectl's __complete protocol: candidates one per line, then :DIRECTIVE, 4 = no file names).
# Options (a word starting with -) and what __complete leaves to the shell: _complete_k8scap above.
function _k8scap_complete() {
  local line=${COMP_LINE:0:COMP_POINT} words
  if [[ -n ${ZSH_VERSION:-} ]]; then
    words=("${COMP_WORDS[@]:0:$((COMP_CWORD + 1))}")
  else
    # the words as typed, not split at = and : as COMP_WORDS is
    read -r -a words <<< "$line"
    if [[ $line == *[[:space:]] ]]; then words+=(""); fi
  fi
  local full="${words[@]: -1}"
  if [[ $full == -* && $full != *=* ]]; then
    _complete_k8scap "$@"
    return
  fi
  local out
  out=$("${words[@]:0:1}" __complete -- "${words[@]:1}" 2>/dev/null) || return 0
  local last=${out##*$'\n'} body=
  [[ $last == :* ]] || return 0
  local directive=${last#:}
  [[ $out == *$'\n'* ]] && body=${out%$'\n'*}
  COMPREPLY=()
  if (( directive & 4 )); then
    type compopt &>/dev/null && compopt +o default 2>/dev/null
  elif [[ -z $body ]]; then
    _complete_k8scap "$@" # file names, option values: the static completion
    return
  fi
  # bash split the word at = and :, and COMPREPLY replaces only its last piece
  local piece=${COMP_WORDS[COMP_CWORD]} strip c
  strip=${full%"$piece"}
  if [[ -n $body ]]; then
    while IFS= read -r c; do COMPREPLY+=("${c#"$strip"}"); done <<< "$body"
  fi
  return 0
}
complete -F _k8scap_complete -o default k8scap kubectl-k8scap
