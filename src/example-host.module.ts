import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { OAUTH_MAIL_ENTITIES, OAuthMailModule, type OAuthMailModuleOptions } from '@app/oauth-mail';

/**
 * The smallest NestJS app that uses the library: it owns the connection,
 * registers the library's entities in it, and passes options through
 * `forRootAsync`. No AdminJS. The library's integration tests boot this.
 */
@Module({})
export class ExampleHostModule {
  static forRoot(database: TypeOrmModuleOptions, options: OAuthMailModuleOptions): DynamicModule {
    return {
      module: ExampleHostModule,
      imports: [
        TypeOrmModule.forRoot({ ...database, entities: [...OAUTH_MAIL_ENTITIES] }),
        OAuthMailModule.forRootAsync({ useFactory: () => options }),
      ],
      exports: [OAuthMailModule],
    };
  }
}
