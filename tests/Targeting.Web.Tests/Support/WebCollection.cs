namespace Targeting.Web.Tests.Support;

/// <summary>One world (services, web host, browser) for every test class: starting it imports the sample.</summary>
[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebWorld>
{
    public const string Name = "web";
}
