import { graphql } from '$lib/graphql/generated';

export const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      role
      language
    }
  }
`);

export const SetMyLanguageMutation = graphql(`
  mutation SetMyLanguage($language: String) {
    setMyLanguage(language: $language) {
      id
      language
    }
  }
`);

export const LoginOptionsQuery = graphql(`
  query LoginOptions {
    loginOptions {
      sso
      ssoStartPath
      passwordLogin
    }
  }
`);
