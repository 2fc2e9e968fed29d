# One image with every Hangar executable; docker-compose.yml runs one process per service.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
COPY scripts/deps scripts/deps
COPY gateway/swagger-ui/package.json gateway/swagger-ui/package-lock.json gateway/swagger-ui/
RUN scripts/install-deps
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j"$(nproc)" \
      --target auth-svc resources-svc products-svc credentials-svc gateway

FROM debian:12-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      libgrpc29 libprotobuf-c1 liblmdb0 libevent-2.1-7 libevent-pthreads-2.1-7 libjansson4 \
      libjwt0 libssl3 libcmark0.30.2 libyaml-0-2 libmariadb3 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/bin/ /usr/local/bin/
# Swagger UI's static files for the gateway's /swagger (swagger-ui-dist, from npm ci).
COPY --from=build /src/gateway/swagger-ui/node_modules/swagger-ui-dist/ /usr/local/share/hangar/swagger-ui/
ENV HANGAR_SWAGGER_UI_DIR=/usr/local/share/hangar/swagger-ui
RUN useradd --system --home /var/lib/hangar hangar && mkdir -p /var/lib/hangar \
      && chown hangar /var/lib/hangar
USER hangar
WORKDIR /var/lib/hangar
