using Targeting.Feedback.Analysis;
using Targeting.Stops.V1;

namespace Targeting.Feedback.Tests.Analysis;

public class ObjectLabelsTests
{
    [Theory]
    [InlineData("Offensive weapons", ObjectOfSearch.OffensiveWeapons)]
    [InlineData("OBJECT_OF_SEARCH_FIREARMS", ObjectOfSearch.Firearms)]
    [InlineData("controlled_drugs", ObjectOfSearch.ControlledDrugs)]
    [InlineData("Anything to threaten or harm anyone", ObjectOfSearch.AnythingToThreatenOrHarm)]
    public void TryParse_LabelOrEnumName_TheObject(string text, ObjectOfSearch expected)
    {
        Assert.True(ObjectLabels.TryParse(text, out var objects));
        Assert.Equal([expected], objects);
    }

    [Theory]
    [InlineData("knives")]
    [InlineData("")]
    public void TryParse_Unknown_False(string text) => Assert.False(ObjectLabels.TryParse(text, out _));

    [Fact]
    public void Label_EveryObject_RoundTrips()
    {
        foreach (var value in Enum.GetValues<ObjectOfSearch>().Where(v => v != ObjectOfSearch.Unspecified))
        {
            Assert.True(ObjectLabels.TryParse(ObjectLabels.Label(value), out var parsed));
            Assert.Equal([value], parsed);
        }
    }
}
