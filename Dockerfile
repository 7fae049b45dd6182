FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /courtesy ./cmd/courtesy
# The data directory exists in the image, owned by the user courtesy runs
# as, so a fresh volume mounted on it starts out writable by that user.
RUN mkdir -p /data && chown 65532:65532 /data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /courtesy /usr/local/bin/courtesy
COPY --from=build --chown=65532:65532 /data /var/lib/courtesy
ENV COURTESY_CONFIG=/etc/courtesy/courtesy.yaml
# The config directory may be mounted read-only: everything courtesy writes
# (the SQLite database, a file outbox) goes here.
ENV COURTESY_DATA_DIR=/var/lib/courtesy
VOLUME /var/lib/courtesy
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/courtesy"]
CMD ["serve"]
