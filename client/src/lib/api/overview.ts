import { graphql } from '$lib/graphql/generated';

export const OverviewQuery = graphql(`
  query Overview {
    overview {
      providers
      models
      virtualKeys
      virtualModels
      users
    }
  }
`);
