# Sourced by the scripts in this folder: how they get root for the few steps that need it, so that
# they run the same from a root shell (no sudo on a fresh Debian) and from an account that may sudo.

# Runs a command as root: directly when this is root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    no_root "${0##*/}: $1 needs root"
  fi
}

# Re-runs the calling script as root when it is not, keeping the SONIC_*, LAB_* and JAVA_HOME_25
# settings that sudo would otherwise drop. Call as: become_root path/to/the/script.sh "$@"
become_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null 2>&1 || no_root "${0##*/} needs root"
  local keep=() v
  for v in $(compgen -e); do
    case $v in SONIC_* | LAB_* | JAVA_HOME_25) keep+=("$v=${!v}") ;; esac
  done
  exec sudo env "${keep[@]}" bash "$@"
}

# When root is working in a clone for an account that ran it through sudo, gives that account back
# what root created there on exit, so its next build can overwrite it.
return_files_on_exit() {
  if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_UID:-}" ] && [ "$SUDO_UID" != 0 ]; then
    trap 'find . -xdev -uid 0 -exec chown -h "$SUDO_UID:$SUDO_GID" {} +' EXIT
  fi
}

no_root() {
  echo "$1 and sudo is not installed: run it as root, or install sudo and run it from an account allowed to use it" >&2
  exit 1
}
