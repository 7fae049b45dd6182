FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /courtesy ./cmd/courtesy

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /courtesy /usr/local/bin/courtesy
ENV COURTESY_CONFIG=/etc/courtesy/courtesy.yaml
VOLUME /var/lib/courtesy
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/courtesy"]
CMD ["serve"]
