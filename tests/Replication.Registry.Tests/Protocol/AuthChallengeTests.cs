using Replication.Registry.Auth;

namespace Replication.Registry.Tests.Protocol;

public class AuthChallengeTests
{
    [Fact]
    public void Bearer_challenge_keeps_commas_inside_quoted_scope()
    {
        var challenge = Assert.Single(AuthChallenge.Parse(
            "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:team/app:pull,push\""));

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example.com/token", challenge.Realm);
        Assert.Equal("registry.example.com", challenge.Service);
        Assert.Equal("repository:team/app:pull,push", challenge.Scope);
    }

    [Fact]
    public void Several_challenges_in_one_header_are_told_apart()
    {
        var challenges = AuthChallenge.Parse("Basic realm=\"Registry Realm\", Bearer realm=\"https://a/token\", service=\"svc\"");

        Assert.Collection(
            challenges,
            basic =>
            {
                Assert.True(basic.IsBasic);
                Assert.Equal("Registry Realm", basic.Realm);
            },
            bearer =>
            {
                Assert.True(bearer.IsBearer);
                Assert.Equal("https://a/token", bearer.Realm);
                Assert.Equal("svc", bearer.Service);
            });
    }

    [Fact]
    public void Challenges_from_several_header_values_are_all_read()
    {
        var challenges = AuthChallenge.Parse(["Basic realm=\"x\"", "Bearer realm=\"https://t\""]);

        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
    }

    [Fact]
    public void Parameter_names_are_case_insensitive_and_unquoted_values_allowed()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("bearer Realm=https://t/token , SERVICE=svc"));

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://t/token", challenge.Realm);
        Assert.Equal("svc", challenge.Service);
    }

    [Fact]
    public void Escaped_quotes_inside_a_quoted_value_are_unescaped()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("Basic realm=\"say \\\"hi\\\", then go\""));

        Assert.Equal("say \"hi\", then go", challenge.Realm);
    }

    [Fact]
    public void Several_scopes_separated_by_spaces_stay_one_value()
    {
        var challenge = Assert.Single(AuthChallenge.Parse(
            "Bearer realm=\"https://t\",scope=\"repository:a:pull,push repository:b:pull\",error=\"insufficient_scope\""));

        Assert.Equal("repository:a:pull,push repository:b:pull", challenge.Scope);
        Assert.Equal("insufficient_scope", challenge.Parameters["error"]);
    }

    [Fact]
    public void A_token68_challenge_is_kept_without_breaking_the_next_one()
    {
        var challenges = AuthChallenge.Parse("Negotiate abc123==, Basic realm=\"r\"");

        Assert.Equal(2, challenges.Count);
        Assert.Equal("abc123==", challenges[0].Parameters[""]);
        Assert.Equal("r", challenges[1].Realm);
    }

    [Fact]
    public void A_scheme_without_parameters_parses()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("Basic"));

        Assert.True(challenge.IsBasic);
        Assert.Null(challenge.Realm);
    }

    [Fact]
    public void Empty_input_gives_no_challenge()
    {
        Assert.Empty(AuthChallenge.Parse(""));
        Assert.Empty(AuthChallenge.Parse(" , "));
    }
}
