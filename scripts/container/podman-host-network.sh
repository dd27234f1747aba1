#!/bin/bash
# podman for podman-compose 1.0.3 (Debian bookworm), which adds `--net <project>_default --network-alias <service>`
# to every container, even one with `network_mode: host`, and podman then refuses to start it. For a
# container on the host network this drops those two options; everything else passes through unchanged.
args=("$@")
host=0
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  if [ "${args[i]}" = "--network" ] && [ "${args[i+1]}" = "host" ]; then host=1; fi
done
if [ "$host" = 1 ]; then
  kept=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
      --net|--network-alias) i=$((i + 1)) ;;
      *) kept+=("${args[i]}") ;;
    esac
  done
  args=("${kept[@]}")
fi
exec podman "${args[@]}"
