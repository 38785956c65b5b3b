/** A span exporter that counts and drops: benchmarks pay the SDK's cost without an exporter's. */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class CountingExporter implements SpanExporter {
  count = 0;
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.count += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}
