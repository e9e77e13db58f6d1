# Roster: the README's commands, in a container. `docker build -t roster .` then
#   docker run -p 8080:8080 -v roster-data:/data roster                       (SQLite in /data)
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://… roster                (PostgreSQL)
# See compose.yaml for Roster + PostgreSQL, and docs/operations.md.
FROM node:20-bookworm

WORKDIR /app
COPY --chown=node:node . .
USER node

RUN npm ci
# `npm start` builds first (prestart: an incremental build); doing it once here makes starts fast.
RUN node scripts/ensure-built.mjs

ENV HOST=0.0.0.0 \
    PORT=8080 \
    ROSTER_DATA_DIR=/data
USER root
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# SIGTERM (docker stop) finishes in-flight requests and closes the store.
CMD ["npm", "start"]
