package dev.ovserve.server.serving;

import dev.ovserve.models.paged.PagedModelRunner.LoadTimes;

/** How long one device took to become ready, for /health, /metrics and the log. */
public record DeviceLoad(String device, LoadTimes times) {}
