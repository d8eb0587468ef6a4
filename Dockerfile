# Multi-stage build: a static binary on distroless, running as non-root.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/whatsapp-operator .

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/whatsapp-operator /whatsapp-operator
# 65532 is distroless's nonroot user: a numeric USER satisfies runAsNonRoot.
USER 65532:65532
ENTRYPOINT ["/whatsapp-operator"]
