import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';

/** Liveness plus the database's state, for load balancers and monitoring. */
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const started = Date.now();
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'ok', database: { type: this.dataSource.options.type, status: 'up', latencyMs: Date.now() - started } };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'error', database: { type: this.dataSource.options.type, status: 'down' } };
    }
  }
}
