# Multi-stage build: a static binary on distroless, running as non-root.
#
# The build stage runs on the builder's own platform and cross-compiles for
# the target one (TARGETOS/TARGETARCH, set by BuildKit), so
#   docker buildx build --platform linux/amd64,linux/arm64 .
# (make docker-buildx) builds every architecture without emulating the Go
# toolchain. It needs a container engine with BuildKit.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
# VERSION is printed by `whatsapp-operator --version` (make passes it).
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/whatsapp-operator .

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/whatsapp-operator /whatsapp-operator
# 65532 is distroless's nonroot user: a numeric USER satisfies runAsNonRoot.
USER 65532:65532
ENTRYPOINT ["/whatsapp-operator"]
