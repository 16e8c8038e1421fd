// Package load opens a flavor of a bundle as a ready Model: it picks the
// flavor, hands it the manifest's hints (task, classes, inputs, digest,
// requirements) and presents it under the bundle's signature. It also holds
// the output comparison that pack's cross-flavor check and verify's golden
// check share.
package load
