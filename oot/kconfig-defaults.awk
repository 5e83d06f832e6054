# SPDX-License-Identifier: GPL-2.0
#
# Print SYMBOL=VALUE for every "config SYMBOL" of a Kconfig file whose
# "default" is a plain y, m or n: the external build's options (Kbuild).
$1 == "config" { sym = $2; next }
$1 == "default" && sym != "" && $2 ~ /^[ymn]$/ && NF == 2 { print sym "=" $2; sym = "" }
